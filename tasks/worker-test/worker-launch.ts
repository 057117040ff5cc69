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
  /** --api-key (only when given). */
  apiKey?: string;
  /** The run's hive token (only with --hive-bind): the worker sends it as `Authorization: Bearer <token>` with its heartbeats. */
  hiveToken?: string;
}

/** Every placeholder a worker command may use (`{apiKey}` only with --api-key). */
export const WORKER_PLACEHOLDERS: ReadonlyArray<keyof PlaceholderValues> = ['workerId', 'model', 'modelRef', 'backend', 'device', 'port', 'hivePort', 'hiveUrl', 'heartbeatInterval', 'threads', 'contextSize', 'apiKey', 'hiveToken'];

/** Placeholder values when this run has no hive (a profile without heartbeats). */
export const NO_HIVE = { hivePort: 0, hiveUrl: '' } as const;

/** True when the worker's command refers to the hive (so a hive must run even without heartbeats). */
export function commandUsesHive(plan: WorkerTestPlan): boolean {
  const words = plan.launch.kind === 'cmd' ? plan.launch.argv : plan.launch.kind === 'bin' ? plan.profile.args : [];
  return words.some((word) => word.includes('{hiveUrl}') || word.includes('{hivePort}'));
}

/** The argv that starts one worker: no shell, every user value one argv element. */
export function workerArgv(plan: Pick<WorkerTestPlan, 'launch' | 'extraArgs' | 'profile'> & Partial<Pick<WorkerTestPlan, 'apiKey'>>, values: PlaceholderValues): string[] {
  const known: Record<string, string | number> = { ...values };
  if (known.apiKey === undefined) delete known.apiKey;
  if (known.hiveToken === undefined) delete known.hiveToken;
  const fill = (argv: readonly string[], flag: string): string[] => fillTemplate(argv, known, flag);
  const extra = plan.extraArgs;
  switch (plan.launch.kind) {
    case 'cmd':
      return [...fill(plan.launch.argv, plan.launch.flag), ...extra];
    case 'bin':
      return [plan.launch.bin, ...fill(plan.profile.args, `profile ${plan.profile.name} args`), ...extra];
    case 'reference': {
      // Without a hive (a profile without heartbeats) the reference worker gets no --hive-url.
      const args = values.hiveUrl === NO_HIVE.hiveUrl ? REFERENCE_ARGS.filter((word, i) => word !== '{hiveUrl}' && REFERENCE_ARGS[i + 1] !== '{hiveUrl}') : REFERENCE_ARGS;
      // With --api-key the reference worker is a key-protected server: it wants that key.
      // `--flag=value`: a key or token that starts with '-' is still read as the value.
      const key = plan.apiKey === undefined ? [] : [`--api-key=${plan.apiKey}`];
      // A hive published with --hive-bind wants the run's token on every heartbeat.
      const token = values.hiveToken === undefined || values.hiveUrl === NO_HIVE.hiveUrl ? [] : [`--hive-token=${values.hiveToken}`];
      return [...referenceWorkerBase(), ...fill(args, 'reference worker args'), '--api', plan.profile.referenceApi ?? 'seed', ...key, ...token, ...extra];
    }
  }
}

/** The fault the reference worker was asked for through --worker-arg (`--fault=x` or `--fault x`), for the run timeline's faults lane. */
export function referenceFault(extraArgs: readonly string[]): string | undefined {
  const at = extraArgs.findIndex((arg) => arg === '--fault' || arg.startsWith('--fault='));
  if (at < 0) return undefined;
  const arg = extraArgs[at] as string;
  return arg.includes('=') ? arg.slice('--fault='.length) : extraArgs[at + 1];
}
