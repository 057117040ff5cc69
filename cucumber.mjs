// Cucumber e2e scenarios: TypeScript steps (node --import tsx, see package.json); each scenario's processes are
// torn down in an After hook (features/support/world.ts).
export default {
  paths: ['features/**/*.feature'],
  import: ['features/support/**/*.ts', 'features/steps/**/*.ts'],
  format: ['progress-bar', 'summary'],
  formatOptions: { snippetInterface: 'async-await' },
  strict: true,
};
