import { basename, isAbsolute, resolve } from 'node:path';
import { v4 as uuidv4 } from 'uuid';
import type { Flags } from '../lib/cli/flag-spec.ts';
import { checkPlaceholders, parseCommandTemplate } from '../lib/cli/command-template.ts';
import { HarnessError, usageError } from '../lib/errors/harness-error.ts';
import { secretsInArgv } from '../lib/process/argv-secrets.ts';
import { resolveProfile } from '../lib/worker/profile-store.ts';
import type { WorkerProfile } from '../lib/worker/worker-profile.ts';
import { WORKER_PLACEHOLDERS } from './worker-launch.ts';
import { planRemote, type RemoteOptions } from './remote-plan.ts';

/** What the generated tiny model is called in requests and heartbeats. */
export const TINY_MODEL_REF = 'hivecheck:tiny-random-llama';

/** How the worker is started: the built-in reference worker, the user's binary, or a whole command. */
export type LaunchMode = { kind: 'reference' } | { kind: 'bin'; bin: string } | { kind: 'cmd'; argv: string[]; flag: string };

/** Everything a worker:test run needs, read once from the flags and checked for contradictions. */
export interface WorkerTestPlan extends RemoteOptions {
  profile: WorkerProfile;
  launch: LaunchMode;
  extraArgs: string[];
  workerIds: string[];
  /** --model as given; resolved against `cwd` by the model check. */
  modelPath: string | undefined;
  /** Where the user ran the command: user paths resolve from here, and the worker starts here. */
  cwd: string;
  modelRef: string;
  backends: string[];
  device: number;
  port: number | undefined;
  hivePort: number | undefined;
  timeoutMs: number;
  /** --ready-timeout: the ready wait's own budget, counted once healthy (else: the rest of the startup budget). */
  readyTimeoutMs: number | undefined;
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
  /** Sent with every request to the worker: `Authorization: Bearer <--api-key>` and each `--header`. */
  headers: Record<string, string>;
  /** `--api-key`, for the `{apiKey}` placeholder. */
  apiKey: string | undefined;
  /** Values masked wherever they would be printed: the API key, header values, secrets in the worker command. */
  secrets: string[];
  /** Things that are allowed but probably wrong (a command without `{model}`), printed and kept in the report. */
  warnings: string[];
  /** The placeholders the worker's command template leaves out (`model`, `modelRef`), and the flag it came from; undefined for the reference worker. */
  templateGaps: { flag: string; missing: string[] } | undefined;
}

/** The worker's argument template as given: the user's command, the profile's args for --worker-bin, or none (reference worker). */
function templateOf(launch: LaunchMode, profile: WorkerProfile): { words: readonly string[]; flag: string } | undefined {
  if (launch.kind === 'cmd') return { words: launch.argv, flag: `--${launch.flag}` };
  if (launch.kind === 'bin') return { words: profile.args, flag: `profile ${profile.name}'s args (used with --worker-bin)` };
  return undefined;
}

/** `--port 8080` / `--port=8080` / `-p 8080` hard-coded in a command. */
function hardCodedPort(words: readonly string[]): string | undefined {
  for (const [i, word] of words.entries()) {
    const inline = word.match(/^--port=(\d+)$/);
    if (inline) return inline[1];
    if ((word === '--port' || word === '-p') && /^\d+$/.test(words[i + 1] ?? '')) return words[i + 1];
  }
  return undefined;
}

/**
 * The harness probes the port it gives the worker as `{port}`: a command without it listens
 * somewhere else, and every probe goes to a port nobody serves. Refused unless `--port` names the
 * port the command hard-codes. A command without `{model}` loads some other model than the file
 * the "model file" check vouches for: allowed, with a warning.
 */
function checkTemplate(words: readonly string[], flag: string, options: { port: number | undefined; workers: number; modelGiven: boolean }): string[] {
  checkPlaceholders(words, WORKER_PLACEHOLDERS, flag.replace(/^--/, ''));
  const uses = (name: string): boolean => words.some((word) => word.includes(`{${name}}`));
  const warnings: string[] = [];
  if (!uses('port')) {
    const fixed = hardCodedPort(words);
    const where = fixed ? `it hard-codes port ${fixed}` : 'it does not say which port to listen on';
    if (options.port === undefined || options.workers > 1) {
      throw new HarnessError('WORKER_CMD_NO_PORT', `${flag} has no {port} placeholder (${where}), so the harness cannot know where the worker listens: it would probe a port of its own that nobody serves`, {
        kind: 'usage',
        evidence: { template: words },
        hint: options.workers > 1 ? `use --port {port} (or your server's port flag) in ${flag}: each of the ${options.workers} workers gets its own port` : `write your server's port flag with {port} (e.g. --port {port})${fixed ? `, or pass --port ${fixed} to probe the port the command hard-codes` : ''}`,
      });
    }
    warnings.push(`${flag} has no {port} placeholder (${where}); the harness probes --port ${options.port}, so the worker must listen there`);
  }
  if (options.modelGiven && !uses('model')) {
    warnings.push(`${flag} has no {model} placeholder: the worker does not get --model, so the "model file" check vouches for a file the worker never loads`);
  }
  return warnings;
}

/** A program named by path (`./bin/worker`, `../build/worker`) resolves from the user's directory; a bare name is looked up on PATH. */
function resolveProgram(program: string, cwd: string): string {
  return program.includes('/') && !isAbsolute(program) ? resolve(cwd, program) : program;
}

/** Reads the flags once; `cwd` is where the user ran the command (user paths resolve from there). */
export function planWorkerTest(flags: Flags, cwd: string = process.cwd()): WorkerTestPlan {
  const profilesFile = flags.optionalString('profiles');
  const profile = resolveProfile(flags.string('profile'), profilesFile === undefined ? undefined : resolve(cwd, profilesFile));
  const bin = flags.optionalString('worker-bin');
  const cmd = flags.optionalString('worker-cmd');
  if (bin && cmd) throw usageError('--worker-bin and --worker-cmd both say how to start the worker; pass one', undefined, 'FLAGS_CONFLICT');
  let launch: LaunchMode = { kind: 'reference' };
  if (cmd) launch = { kind: 'cmd', argv: parseCommandTemplate(cmd, 'worker-cmd'), flag: 'worker-cmd' };
  else if (bin) {
    if (profile.args.length === 0) throw usageError(`profile '${profile.name}' has no argument template for --worker-bin; use --worker-cmd`, undefined, 'PROFILE_NO_COMMAND');
    launch = { kind: 'bin', bin: resolveProgram(bin, cwd) };
  } else if (profile.command) launch = { kind: 'cmd', argv: parseCommandTemplate(profile.command, `profile ${profile.name} command`), flag: `profile ${profile.name} command` };
  else if (!profile.referenceApi) throw usageError(`profile '${profile.name}' has no built-in reference worker; pass --worker-bin or --worker-cmd`, undefined, 'PROFILE_NO_COMMAND');
  if (launch.kind === 'cmd') launch.argv = [resolveProgram(launch.argv[0] as string, cwd), ...launch.argv.slice(1)];

  const workers = flags.number('workers');
  const id = flags.optionalString('worker-id') ?? `test-worker-${uuidv4()}`;
  const modelPath = flags.optionalString('model');
  const port = flags.optionalNumber('port');
  if (port !== undefined && port + workers - 1 > 65535) throw usageError(`--port ${port} leaves no room for ${workers} workers`, undefined, 'BAD_FLAG_VALUE');
  const template = templateOf(launch, profile);
  const warnings = template ? checkTemplate(template.words, template.flag, { port, workers, modelGiven: modelPath !== undefined }) : [];
  const remote = planRemote(flags);
  warnings.push(...remote.warnings);
  if (remote.hiveToken === undefined && template?.words.some((word) => word.includes('{hiveToken}'))) throw usageError(`${template.flag} uses {hiveToken}, but the hive has no token`, 'pass --hive-bind <address>: the hive then takes only requests with the run\'s token, given to the worker as {hiveToken}', 'FLAGS_CONFLICT');
  const apiKey = flags.optionalString('api-key');
  if (apiKey === undefined && template?.words.some((word) => word.includes('{apiKey}'))) throw usageError(`${template.flag} uses {apiKey}, but no key was given (no $HIVECHECK_API_KEY, --api-key-file or --api-key)`, 'export HIVECHECK_API_KEY=<key> (or pass --api-key-file <path>, or --api-key <key>): the worker gets it as {apiKey} and every request sends it as a bearer token', 'FLAGS_CONFLICT');
  const headers: Record<string, string> = {};
  if (apiKey !== undefined) headers.authorization = `Bearer ${apiKey}`;
  for (const header of flags.list('header')) {
    const colon = header.indexOf(':');
    if (colon < 1) throw usageError('--header needs "Name: value"; one value has no name before a colon (not echoed: it may be a secret)', 'e.g. --header "X-Api-Key: abc" (repeat for more)', 'BAD_FLAG_VALUE');
    headers[header.slice(0, colon).trim().toLowerCase()] = header.slice(colon + 1).trim();
  }
  const headerSecrets = Object.entries(headers).filter(([name]) => /authorization|key|token|secret/i.test(name)).map(([, value]) => value.replace(/^(bearer|basic|token)\s+/i, ''));
  const secrets = [...(remote.hiveToken ? [remote.hiveToken] : []), ...(apiKey ? [apiKey] : []), ...headerSecrets, ...secretsInArgv(template?.words ?? []), ...secretsInArgv(flags.list('worker-arg'))];
  return {
    url: remote.url,
    hiveBind: remote.hiveBind,
    hiveToken: remote.hiveToken,
    profile,
    launch,
    extraArgs: flags.list('worker-arg'),
    workerIds: workers === 1 ? [id] : Array.from({ length: workers }, (_, i) => `${id}-${i + 1}`),
    modelPath,
    cwd,
    modelRef: flags.optionalString('model-ref') ?? (modelPath ? `file:${basename(modelPath)}` : TINY_MODEL_REF),
    backends: flags.list('backend'),
    device: flags.number('device'),
    port,
    hivePort: flags.optionalNumber('hive-port'),
    timeoutMs: flags.number('timeout') * 1000,
    readyTimeoutMs: flags.has('ready-timeout') ? flags.number('ready-timeout') * 1000 : undefined,
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
    headers,
    apiKey,
    secrets,
    warnings,
    templateGaps: template ? { flag: template.flag, missing: ['model', 'modelRef'].filter((name) => !template.words.some((word) => word.includes(`{${name}}`))) } : undefined,
  };
}
