import { createRequire, syncBuiltinESMExports } from 'node:module';
import { expect } from 'vitest';

/**
 * Setup file of the `quick` project (pure and in-process tests): starting a child process there
 * fails at once, naming the file, so the quick loop stays quick and its list stays true. A test
 * that needs a process belongs in the `processes` project (remove it from QUICK_TESTS in
 * test/support/test-groups.ts).
 */
const childProcess = createRequire(import.meta.url)('node:child_process') as Record<string, unknown>;
for (const name of ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork']) {
  childProcess[name] = () => {
    throw new Error(`child_process.${name}() in a quick test (${expect.getState().testPath ?? 'unknown file'}): the quick project runs pure and in-process tests only; move this file out of QUICK_TESTS (test/support/test-groups.ts)`);
  };
}
syncBuiltinESMExports();
