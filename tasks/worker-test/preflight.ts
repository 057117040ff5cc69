import { checkModelFile } from '../lib/preflight/model-check.ts';
import { checkPortsFree } from '../lib/preflight/ports-check.ts';
import { resolveExecutable } from '../lib/preflight/program-check.ts';
import type { ModelFileInfo } from '../lib/model/model-file.ts';
import type { TaskContext } from '../runner/task-context.ts';
import { checkReferenceEngine } from './reference-worker.ts';
import type { WorkerTestPlan } from './worker-test-plan.ts';

/** The model the worker will load: the user's file, or the generated tiny model. Checked before any spawn. */
export async function checkModel(context: TaskContext, plan: WorkerTestPlan): Promise<ModelFileInfo | undefined> {
  let info: ModelFileInfo | undefined;
  await context.report.check('model file', async () => {
    const checked = await checkModelFile(plan.modelPath, { cwd: plan.cwd });
    info = checked.info;
    const unused = plan.warnings.some((warning) => warning.includes('{model}')) ? ' — not passed to the worker: its command has no {model}' : '';
    return { detail: `${checked.detail}${unused}`, evidence: { model: info } };
  });
  return info;
}

/** Ports the user named must be free now; ports we pick come from get-port. */
export async function checkPorts(context: TaskContext, plan: WorkerTestPlan): Promise<boolean> {
  const wanted = [
    ...(plan.port === undefined ? [] : plan.workerIds.map((_, i) => ({ port: (plan.port as number) + i, flag: '--port' }))),
    ...(plan.hivePort === undefined ? [] : [{ port: plan.hivePort, flag: '--hive-port' }]),
  ];
  if (wanted.length === 0) return true;
  return await context.report.check('ports free', () => checkPortsFree(wanted));
}

/** The worker can be started: engine build installed (reference worker) or the binary exists and is executable. */
export async function checkWorkerCommand(context: TaskContext, plan: WorkerTestPlan, backend: string, label: string): Promise<boolean> {
  return await context.report.check(`${label}worker command`, async () => {
    if (plan.launch.kind === 'reference') return `reference worker (${plan.profile.referenceApi} API), ${checkReferenceEngine(backend)}`;
    const program = plan.launch.kind === 'bin' ? plan.launch.bin : (plan.launch.argv[0] as string);
    const flag = plan.launch.kind === 'bin' ? '--worker-bin' : `--${plan.launch.flag}`;
    return `${await resolveExecutable(program, flag)} (${plan.profile.name} profile)`;
  });
}
