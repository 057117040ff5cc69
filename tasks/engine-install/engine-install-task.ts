import { fileURLToPath } from 'node:url';
import { stateEngineDir, WORKER_PACKAGE_DIR } from '../../fixtures/reference-worker/src/engine-builds.ts';
import { isInstalledPackage } from '../lib/cli/invocation.ts';
import { HarnessError } from '../lib/errors/harness-error.ts';
import { ProcessGuard } from '../lib/process/process-guard.ts';
import type { TaskDefinition } from '../runner/task-definition.ts';

const INSTALLER = fileURLToPath(new URL('../../fixtures/reference-worker/install-engine.mjs', import.meta.url));

/**
 * Installs the built-in worker's engine where the user stands: an installed hivecheck into
 * `<state dir>/engine` (its own node_modules may be read-only, and npm may not run install
 * scripts); a checkout into fixtures/reference-worker/node_modules, as `npm ci` does.
 */
export const engineInstallTask: TaskDefinition = {
  name: 'engine:install',
  kind: 'command',
  summary: "install the built-in worker's inference engine (node-llama-cpp, CPU build; --gpu for CUDA/Vulkan), with progress",
  description: [
    "Installs the reference worker's inference engine: node-llama-cpp at its locked version and this",
    'platform\'s CPU build of llama.cpp only (~83 MB; every GPU build would be ~730 MB). Installed as a',
    'package, hivecheck puts it in <state dir>/engine (default .hivecheck/engine where you run it: cache',
    'that folder in CI); in a checkout of hivecheck it goes beside the worker, as `npm ci` does.',
    'Idempotent: when the locked versions are there it does not call npm.',
  ].join('\n'),
  flags: [
    { name: 'gpu', type: 'list', choices: ['cuda', 'vulkan'], valueName: 'cuda,vulkan', description: 'also install these GPU builds' },
    { name: 'force', type: 'boolean', description: 'reinstall even when the locked versions are there' },
    { name: 'timeout', type: 'number', min: 1, default: 900, valueName: 's', description: 'give up after this long' },
  ],
  examples: ['npm run task -- engine:install', 'npm run task -- engine:install --gpu cuda'],
  async run(context, flags) {
    const target = isInstalledPackage() ? stateEngineDir() : WORKER_PACKAGE_DIR;
    const args = [INSTALLER, ...flags.list('gpu').flatMap((gpu) => ['--gpu', gpu]), ...(flags.boolean('force') ? ['--force'] : []), ...(target === WORKER_PACKAGE_DIR ? [] : ['--prefix', target])];
    await using guard = await ProcessGuard.start({ name: 'engine-install', command: process.execPath, args, onLine: (line) => context.out.print(line) });
    const timeoutMs = flags.number('timeout') * 1000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    const outcome = await Promise.race([guard.settled, timedOut]).finally(() => clearTimeout(timer));
    if (outcome === 'timeout') {
      throw new HarnessError('ENGINE_INSTALL_TIMEOUT', `the engine install did not finish within ${flags.number('timeout')} s`, { kind: 'environment', evidence: { logTail: guard.tail(20), process: guard.name, waitedMs: timeoutMs }, hint: 'check the network to the npm registry, or pass a longer --timeout' });
    }
    if (outcome.code !== 0) {
      throw new HarnessError('ENGINE_INSTALL_FAILED', `the engine install failed (${outcome.signal ?? `exit code ${outcome.code}`})`, { kind: 'environment', evidence: { logTail: guard.tail(20), process: guard.name }, hint: 'read the npm output above' });
    }
  },
};
