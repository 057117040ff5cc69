import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import getPort from 'get-port';
import { which } from 'zx';
import { ensureTinyModel } from '../../fixtures/tiny-model/write-tiny-llama.ts';
import { HarnessError } from '../lib/errors/harness-error.ts';
import { inspectModelFile, type ModelFileInfo } from '../lib/model/model-file.ts';
import type { TaskContext } from '../runner/task-context.ts';
import { checkReferenceEngine } from './reference-worker.ts';
import type { WorkerTestPlan } from './worker-test-plan.ts';

const kb = (bytes: number): string => (bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(1)} MB` : `${Math.round(bytes / 1024)} KB`);

/** The model the worker will load: the user's file, or the generated tiny model. Checked before any spawn. */
export async function checkModel(context: TaskContext, plan: WorkerTestPlan): Promise<ModelFileInfo | undefined> {
  let info: ModelFileInfo | undefined;
  await context.report.check('model file', async () => {
    const path = plan.modelPath ?? (await ensureTinyModel());
    info = await inspectModelFile(path, { cwd: plan.cwd });
    const unused = plan.warnings.some((warning) => warning.includes('{model}')) ? ' — not passed to the worker: its command has no {model}' : '';
    return { detail: `${info.path}: GGUF v${info.ggufVersion}, ${info.architecture}, ${kb(info.sizeBytes)}, ${info.tensorCount} tensors${plan.modelPath ? '' : ' (generated tiny model)'}${unused}`, evidence: { model: info } };
  });
  return info;
}

async function portIsFree(port: number): Promise<boolean> {
  return (await getPort({ port, host: '127.0.0.1' })) === port;
}

/** Ports the user named must be free now; ports we pick come from get-port. */
export async function checkPorts(context: TaskContext, plan: WorkerTestPlan): Promise<boolean> {
  const wanted = [
    ...(plan.port === undefined ? [] : plan.workerIds.map((_, i) => ({ port: (plan.port as number) + i, flag: '--port' }))),
    ...(plan.hivePort === undefined ? [] : [{ port: plan.hivePort, flag: '--hive-port' }]),
  ];
  if (wanted.length === 0) return true;
  return await context.report.check('ports free', async () => {
    for (const { port, flag } of wanted) {
      if (!(await portIsFree(port))) {
        throw new HarnessError('PORT_IN_USE', `port ${port} (${flag}) is already in use on 127.0.0.1`, { kind: 'environment', evidence: { port, flag }, hint: `stop what listens there, pass another ${flag}, or omit ${flag} to get a free port` });
      }
    }
    return `${wanted.map(({ port }) => port).join(', ')} free on 127.0.0.1`;
  });
}

/** The worker can be started: engine build installed (reference worker) or the binary exists and is executable. */
export async function checkWorkerCommand(context: TaskContext, plan: WorkerTestPlan, backend: string, label: string): Promise<boolean> {
  return await context.report.check(`${label}worker command`, async () => {
    if (plan.launch.kind === 'reference') return `reference worker (${plan.profile.referenceApi} API), ${checkReferenceEngine(backend)}`;
    const program = plan.launch.kind === 'bin' ? plan.launch.bin : (plan.launch.argv[0] as string);
    const flag = plan.launch.kind === 'bin' ? '--worker-bin' : `--${plan.launch.flag}`;
    const resolved = program.includes('/') ? program : await which(program, { nothrow: true });
    if (!resolved) throw new HarnessError('WORKER_BIN_MISSING', `worker program '${program}' is not on PATH`, { kind: 'environment', hint: `build your worker, or give ${flag} a path` });
    const info = await stat(resolved).catch(() => undefined);
    if (!info?.isFile()) throw new HarnessError('WORKER_BIN_MISSING', `worker binary ${resolved} does not exist`, { kind: 'environment', hint: `build your worker, or give ${flag} the right path` });
    await access(resolved, constants.X_OK).catch(() => {
      throw new HarnessError('WORKER_BIN_NOT_EXECUTABLE', `worker binary ${resolved} is not executable`, { kind: 'environment', hint: `chmod +x ${resolved}` });
    });
    return `${resolved} (${plan.profile.name} profile)`;
  });
}
