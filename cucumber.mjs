// Cucumber scenarios: TypeScript steps (node --import tsx, see package.json); each scenario's processes are
// torn down in an After hook (features/support/world.ts), and a failed scenario gets the log tails attached
// (features/support/e2e-hooks.ts).
//
// Profiles:
//   default (npm test → npm run test:features): every scenario except @slow (a real model load per
//            scenario) and @gpu; CI-sized; two at a time (--parallel 2).
//   e2e     (npm run e2e): every scenario; @gpu ones skip themselves without a GPU; html, junit and
//            message reports into $E2E_REPORT_DIR (default reports/e2e). Safe with --parallel 2
//            (ports from get-port, a temp dir per scenario, @serial scenarios run alone).
const base = {
  paths: ['features/**/*.feature'],
  import: ['features/support/**/*.ts', 'features/steps/**/*.ts'],
  formatOptions: { snippetInterface: 'async-await' },
  strict: true,
};
const reports = process.env.E2E_REPORT_DIR ?? 'reports/e2e';

// Two scenarios at a time by default (two cores; the scenarios mostly wait on the processes they
// start); HIVECHECK_CUCUMBER_PARALLEL=1 runs them one by one, a command-line --parallel wins.
const parallel = Number(process.env.HIVECHECK_CUCUMBER_PARALLEL ?? 2);

export default { ...base, format: ['progress-bar', 'summary'], tags: 'not @slow and not @gpu', parallel };

export const e2e = {
  ...base,
  format: ['progress', `html:${reports}/cucumber.html`, `junit:${reports}/cucumber.junit.xml`, `message:${reports}/cucumber.ndjson`],
};
