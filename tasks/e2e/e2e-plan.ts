import { readFileSync } from 'node:fs';
import { basename, resolve as resolvePath } from 'node:path';
import { v4 as uuidv4 } from 'uuid';
import type { Flags } from '../lib/cli/flag-spec.ts';
import { parseCommandTemplate } from '../lib/cli/command-template.ts';
import { usageError } from '../lib/errors/harness-error.ts';
import type { KeeperPlan } from '../lib/e2e/keeper-plan.ts';
import { resolveProfile } from '../lib/worker/profile-store.ts';
import { TINY_MODEL_REF } from '../worker-test/worker-test-plan.ts';
import { planNodeTargets, type NodeTarget } from './node-targets.ts';

export type HiveMode = { kind: 'builtin' } | { kind: 'cmd'; argv: string[] } | { kind: 'external' };

/** An e2e run: the keeper's plan (model path filled in after the preflight), and how the hive, worker and keeper are had. */
export interface E2ePlan {
  keeper: Omit<KeeperPlan, 'modelPath' | 'hivePort'>;
  modelPath: string | undefined;
  hivePort: number | undefined;
  hive: HiveMode;
  keeperCmd: string[] | undefined;
  keeperTimeoutMs: number;
  workerBin: string | undefined;
  extraArgs: string[];
  heartbeatIntervalS: number;
  threads: number;
  contextSize: number;
  graceMs: number;
  profilesFile: string | undefined;
  /** Several nodes (--nodes, repeated --hive-url); undefined: one node (--node). */
  nodes: NodeTarget[] | undefined;
  concurrency: number;
}

/** The hive token from `--hive-token-file`: the file's first line, trimmed; a missing or empty file is a usage error that does not echo its content. */
function readHiveToken(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw usageError(`--hive-token-file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, 'write the token the hive printed into that file', 'BAD_FLAG_VALUE');
  }
  const token = text.split(/\r?\n/)[0]?.trim() ?? '';
  if (!token) throw usageError(`--hive-token-file ${path} is empty`, 'write the token the hive printed into that file', 'BAD_FLAG_VALUE');
  return token;
}

export function planE2e(flags: Flags, cwd: string): E2ePlan {
  const profilesFile = flags.optionalString('profiles');
  const profile = resolveProfile(flags.string('profile'), profilesFile);
  const hiveCmd = flags.optionalString('hive-cmd');
  const external = flags.boolean('external-hive');
  if (hiveCmd && external) throw usageError('--hive-cmd starts a hive and --external-hive uses a running one; pass one');
  const bin = flags.optionalString('worker-bin');
  const cmd = flags.optionalString('worker-cmd');
  if (bin && cmd) throw usageError('--worker-bin and --worker-cmd both say how to start the worker; pass one');
  if (bin && profile.args.length === 0) throw usageError(`profile '${profile.name}' has no argument template for --worker-bin; use --worker-cmd`);
  const spawnCommand = cmd ? parseCommandTemplate(cmd, 'worker-cmd') : bin ? [bin, ...profile.args] : undefined;
  const modelPath = flags.optionalString('model');
  const keeperCmd = flags.optionalString('keeper-cmd');
  const hive: HiveMode = hiveCmd ? { kind: 'cmd', argv: parseCommandTemplate(hiveCmd, 'hive-cmd') } : external ? { kind: 'external' } : { kind: 'builtin' };
  const nodes = planNodeTargets(flags, hive);
  const tokenFile = flags.optionalString('hive-token-file');
  const hiveToken = tokenFile === undefined ? undefined : readHiveToken(resolvePath(cwd, tokenFile));
  return {
    nodes,
    concurrency: flags.number('concurrency'),
    keeper: {
      node: flags.string('node'),
      registry: flags.string('registry'),
      cwd,
      workerId: flags.optionalString('worker-id') ?? `e2e-worker-${uuidv4()}`,
      modelRef: flags.optionalString('model-ref') ?? (modelPath ? `file:${basename(modelPath)}` : TINY_MODEL_REF),
      backend: flags.string('backend'),
      device: flags.number('device'),
      profile,
      spawnProfile: profile.name,
      ...(spawnCommand ? { spawnCommand } : {}),
      healthTimeoutMs: flags.number('health-timeout') * 1000,
      registerTimeoutMs: flags.number('register-timeout') * 1000,
      readyTimeoutMs: flags.number('ready-timeout') * 1000,
      failAfterErrors: flags.number('fail-after-errors'),
      errorIntervalMs: flags.number('error-interval') * 1000,
      prompt: flags.string('prompt'),
      maxTokens: flags.number('max-tokens'),
      temperature: flags.number('temperature'),
      inferenceTimeoutMs: flags.number('inference-timeout') * 1000,
      ...(hiveToken === undefined ? {} : { hiveToken }),
    },
    modelPath,
    hivePort: flags.optionalNumber('hive-port') ?? (external ? 8080 : undefined),
    hive: nodes?.every((node) => node.hiveUrl) ? { kind: 'external' } : hive,
    keeperCmd: keeperCmd ? parseCommandTemplate(keeperCmd, 'keeper-cmd') : undefined,
    keeperTimeoutMs: flags.number('keeper-timeout') * 1000,
    workerBin: bin,
    extraArgs: flags.list('worker-arg'),
    heartbeatIntervalS: flags.number('heartbeat-interval'),
    threads: flags.number('threads'),
    contextSize: flags.number('context-size'),
    graceMs: flags.number('grace') * 1000,
    profilesFile,
  };
}
