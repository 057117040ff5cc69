import { basename } from 'node:path';
import { v4 as uuidv4 } from 'uuid';
import type { Flags } from '../lib/cli/flag-spec.ts';
import { parseCommandTemplate } from '../lib/cli/command-template.ts';
import { usageError } from '../lib/errors/harness-error.ts';
import { resolveProfile } from '../lib/worker/profile-store.ts';
import type { WorkerProfile } from '../lib/worker/worker-profile.ts';

/** What the generated tiny model is called in requests and heartbeats. */
export const TINY_MODEL_REF = 'hivecheck:tiny-random-llama';

/** How the worker is started: the built-in reference worker, the user's binary, or a whole command. */
export type LaunchMode = { kind: 'reference' } | { kind: 'bin'; bin: string } | { kind: 'cmd'; argv: string[]; flag: string };

/** Everything a worker:test run needs, read once from the flags and checked for contradictions. */
export interface WorkerTestPlan {
  profile: WorkerProfile;
  launch: LaunchMode;
  extraArgs: string[];
  workerIds: string[];
  modelPath: string | undefined;
  modelRef: string;
  backends: string[];
  device: number;
  port: number | undefined;
  hivePort: number | undefined;
  timeoutMs: number;
  heartbeats: number;
  heartbeatIntervalMs: number;
  heartbeatTimeoutMs: number;
  intervalTolerance: number;
  prompt: string;
  maxTokens: number;
  temperature: number;
  stream: 'both' | 'json' | 'sse';
  inferenceTimeoutMs: number;
  failAfterErrors: number;
  threads: number;
  contextSize: number;
  bench: boolean;
  benchRequests: number;
  graceMs: number;
}

export function planWorkerTest(flags: Flags): WorkerTestPlan {
  const profile = resolveProfile(flags.string('profile'), flags.optionalString('profiles'));
  const bin = flags.optionalString('worker-bin');
  const cmd = flags.optionalString('worker-cmd');
  if (bin && cmd) throw usageError('--worker-bin and --worker-cmd both say how to start the worker; pass one', undefined, 'FLAGS_CONFLICT');
  let launch: LaunchMode = { kind: 'reference' };
  if (cmd) launch = { kind: 'cmd', argv: parseCommandTemplate(cmd, 'worker-cmd'), flag: 'worker-cmd' };
  else if (bin) {
    if (profile.args.length === 0) throw usageError(`profile '${profile.name}' has no argument template for --worker-bin; use --worker-cmd`, undefined, 'PROFILE_NO_COMMAND');
    launch = { kind: 'bin', bin };
  } else if (profile.command) launch = { kind: 'cmd', argv: parseCommandTemplate(profile.command, `profile ${profile.name} command`), flag: `profile ${profile.name} command` };
  else if (!profile.referenceApi) throw usageError(`profile '${profile.name}' has no built-in reference worker; pass --worker-bin or --worker-cmd`, undefined, 'PROFILE_NO_COMMAND');

  const workers = flags.number('workers');
  const id = flags.optionalString('worker-id') ?? `test-worker-${uuidv4()}`;
  const modelPath = flags.optionalString('model');
  const port = flags.optionalNumber('port');
  if (port !== undefined && port + workers - 1 > 65535) throw usageError(`--port ${port} leaves no room for ${workers} workers`, undefined, 'BAD_FLAG_VALUE');
  return {
    profile,
    launch,
    extraArgs: flags.list('worker-arg'),
    workerIds: workers === 1 ? [id] : Array.from({ length: workers }, (_, i) => `${id}-${i + 1}`),
    modelPath,
    modelRef: flags.optionalString('model-ref') ?? (modelPath ? `file:${basename(modelPath)}` : TINY_MODEL_REF),
    backends: flags.list('backend'),
    device: flags.number('device'),
    port,
    hivePort: flags.optionalNumber('hive-port'),
    timeoutMs: flags.number('timeout') * 1000,
    heartbeats: flags.number('heartbeats'),
    heartbeatIntervalMs: flags.number('heartbeat-interval') * 1000,
    heartbeatTimeoutMs: (flags.optionalNumber('heartbeat-timeout') ?? (flags.number('heartbeats') + 1) * flags.number('heartbeat-interval') * 1.5 + 2) * 1000,
    intervalTolerance: flags.number('interval-tolerance'),
    prompt: flags.string('prompt'),
    maxTokens: flags.number('max-tokens'),
    temperature: flags.number('temperature'),
    stream: flags.string('stream') as WorkerTestPlan['stream'],
    inferenceTimeoutMs: flags.number('inference-timeout') * 1000,
    failAfterErrors: flags.number('fail-after-errors'),
    threads: flags.number('threads'),
    contextSize: flags.number('context-size'),
    bench: flags.boolean('bench'),
    benchRequests: flags.number('bench-requests'),
    graceMs: flags.number('grace') * 1000,
  };
}
