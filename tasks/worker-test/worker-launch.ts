import { fillTemplate } from '../lib/cli/command-template.ts';
import { REFERENCE_ARGS, referenceWorkerBase } from './reference-worker.ts';
import type { WorkerTestPlan } from './worker-test-plan.ts';

/** Values for the `{placeholders}` of worker command templates. */
export interface PlaceholderValues {
  workerId: string;
  model: string;
  modelRef: string;
  backend: string;
  device: number;
  port: number;
  hivePort: number;
  hiveUrl: string;
  heartbeatInterval: number;
  threads: number;
  contextSize: number;
}

/** The argv that starts one worker: no shell, every user value one argv element. */
export function workerArgv(plan: Pick<WorkerTestPlan, 'launch' | 'extraArgs' | 'profile'>, values: PlaceholderValues): string[] {
  const fill = (argv: readonly string[], flag: string): string[] => fillTemplate(argv, values as unknown as Record<string, string | number>, flag);
  const extra = plan.extraArgs;
  switch (plan.launch.kind) {
    case 'cmd':
      return [...fill(plan.launch.argv, plan.launch.flag), ...extra];
    case 'bin':
      return [plan.launch.bin, ...fill(plan.profile.args, `profile ${plan.profile.name} args`), ...extra];
    case 'reference':
      return [...referenceWorkerBase(), ...fill(REFERENCE_ARGS, 'reference worker args'), '--api', plan.profile.referenceApi ?? 'seed', ...extra];
  }
}
