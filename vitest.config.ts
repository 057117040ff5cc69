import { defineConfig } from 'vitest/config';
import QuickLastSequencer from './test/support/quick-last-sequencer.ts';
import { NODE_SENSITIVE_TESTS, QUICK_TESTS } from './test/support/test-groups.ts';

// Two projects, together the whole suite (`vitest run`, `npm run test:unit`):
//   quick      pure and in-process tests, no child process (`npm run test:quick`);
//   processes  everything else: real workers, hives, policy servers, signals, the CLI.
// HIVECHECK_TESTS=node-sensitive runs instead only the tests of Node-version-sensitive APIs
// (`npm run test:node-sensitive`; `.ci/run` runs them on Node 24). See test/support/test-groups.ts.
const nodeSensitiveOnly = process.env.HIVECHECK_TESTS === 'node-sensitive';

export default defineConfig({
  test: {
    globalSetup: ['test/support/suite-tmpdir.ts', 'test/support/shared-fixtures.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Three test files at a time on two cores: the process tests mostly wait on what they start
    // (a model load, a probe's budget), so a third file fills the cores those waits leave idle
    // (measured: with 2, the suite kept 1.3 of 2 cores busy). HIVECHECK_TEST_WORKERS overrides it.
    maxWorkers: Number(process.env.HIVECHECK_TEST_WORKERS ?? 3),
    sequence: { sequencer: QuickLastSequencer },
    projects: nodeSensitiveOnly
      ? [{ extends: true, test: { name: 'node-sensitive', include: NODE_SENSITIVE_TESTS.map((group) => group.glob) } }]
      : [
          { extends: true, test: { name: 'quick', include: [...QUICK_TESTS], pool: 'threads', setupFiles: ['test/support/no-child-processes.ts'] } },
          { extends: true, test: { name: 'processes', include: ['test/**/*.test.ts'], exclude: [...QUICK_TESTS] } },
        ],
  },
});
