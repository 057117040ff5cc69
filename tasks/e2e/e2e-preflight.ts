import { resolve } from 'node:path';
import { checkReferenceEngine } from '../lib/preflight/engine-check.ts';
import { checkModelFile } from '../lib/preflight/model-check.ts';
import { checkPortsFree } from '../lib/preflight/ports-check.ts';
import { resolveExecutable } from '../lib/preflight/program-check.ts';
import type { TaskContext } from '../runner/task-context.ts';
import type { E2ePlan } from './e2e-plan.ts';

/**
 * Before Phase 1 (seed 004: "validate the model exists before spawning a worker"): the model
 * file, the worker program (or the reference worker's engine build for the backend) and a named
 * hive port. Returns the model's absolute path, or undefined when something is missing (exit 3).
 */
export async function e2ePreflight(context: TaskContext, plan: E2ePlan, userCwd: string): Promise<string | undefined> {
  const { report } = context;
  let modelPath: string | undefined;
  const modelOk = await report.check('preflight: model file', async () => {
    const checked = await checkModelFile(plan.modelPath === undefined ? undefined : resolve(userCwd, plan.modelPath));
    modelPath = checked.info.path;
    return { detail: checked.detail, evidence: { model: checked.info } };
  });
  if (!modelOk) return undefined;
  if (plan.hive.kind !== 'external') {
    const program = plan.keeper.spawnCommand?.[0];
    const workerOk = await report.check('preflight: worker command', async () => {
      if (program === undefined) return `reference worker (${plan.keeper.profile.referenceApi} API), ${checkReferenceEngine(plan.keeper.backend)}`;
      if (/\{\w+\}/.test(program)) return `${program} (filled in by the hive)`;
      return `${await resolveExecutable(program, plan.workerBin ? '--worker-bin' : '--worker-cmd')} (${plan.keeper.profile.name} profile)`;
    });
    if (!workerOk) return undefined;
    if (plan.hivePort !== undefined && !(await report.check('preflight: hive port free', () => checkPortsFree([{ port: plan.hivePort as number, flag: '--hive-port' }])))) return undefined;
  }
  return modelPath;
}
