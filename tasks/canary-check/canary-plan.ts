import type { Flags } from '../lib/cli/flag-spec.ts';
import { parseCommandTemplate } from '../lib/cli/command-template.ts';
import { usageError } from '../lib/errors/harness-error.ts';
import type { JudgeOptions } from '../lib/canary/judge/judge-types.ts';
import type { Role } from '../lib/canary/probe-outcome.ts';
import type { WsServerPlan } from '../lib/canary/ws-server/run-ws-server.ts';
import { CANARY_FAULTS, WORKER_FLAGS_TAKEN, WS_KINDS, type CanaryKind } from './canary-flags.ts';
import { canaryBotKnobs, describeBot, referenceBotArgv, type BotKnobs } from './reference-bot.ts';
import { canaryServiceKnobs, describeService, referenceServiceArgv, type ServiceKnobs } from './reference-service.ts';

/** Everything a canary:check run needs, read once from the flags; contradictions are usage errors. */
export interface CanaryPlan {
  kind: CanaryKind;
  aa: boolean;
  builtIn: boolean;
  canaryFault: string | undefined;
  /** What was compared, in words. */
  compared: Record<Role, string>;
  /** The commands as given (argv templates), or the built-in ones. */
  argv: Record<Role, string[]>;
  /** The commands as typed (worker:test parses its own --worker-cmd). */
  raw: Record<Role, string | undefined>;
  flagOf: Record<Role, string>;
  samples: number;
  starts: number;
  /** worker: rounds of a fresh baseline and canary process each (process replicates). */
  replicas: number;
  connectTimeoutMs: number;
  judge: JudgeOptions;
  /** Absolute floor of the time metrics (ms), when there is one. */
  minEffectMs: number | undefined;
  /** worker: worker:test's flags as given (--profile, --model, --api-key, --header …), passed on to each side's worker:test plan. */
  workerArgs: string[];
  /** The WebSocket kinds' run (ws-client, ws-server). */
  chat: WsServerPlan | undefined;
}

const WS_ONLY = ['idle', 'soak', 'detect-within', 'reconnect-within', 'reply-timeout', 'max-age', 'close-within', 'ping-interval', 'pong-timeout'];
const BUILT_IN_BOT_ONLY = ['ping-interval', 'pong-timeout'];
/** worker: process replicates (rounds) by default, and the fewest samples a round may take. */
/** 5 process pairs: the fewest whose all being worse is significant (sign test, 1/32 < 0.05); 3 all worse is chance 1 in 8. */
export const DEFAULT_REPLICAS = 5;
export const MIN_SAMPLES_PER_ROUND = 3;
/** A ~1 ms loopback echo: a shift under 2 ms is noise whatever its ratio. */
export const DEFAULT_WS_MIN_EFFECT_MS = 2;
const START_KINDS: readonly CanaryKind[] = ['worker', 'policy'];

/** Placeholders each kind fills into --baseline / --canary. */
export const PLACEHOLDERS: Record<CanaryKind, readonly string[]> = {
  'ws-client': ['url', 'name'],
  'ws-server': ['port', 'name'],
  worker: ['workerId', 'model', 'modelRef', 'backend', 'device', 'port', 'hivePort', 'hiveUrl', 'heartbeatInterval', 'threads', 'contextSize'],
  policy: ['port'],
};
const REQUIRED_PLACEHOLDER: Record<CanaryKind, string> = { 'ws-client': 'url', 'ws-server': 'port', worker: 'port', policy: 'port' };

function userArgv(flags: Flags, role: Role, kind: CanaryKind): string[] {
  const argv = parseCommandTemplate(flags.string(role), role);
  const needed = REQUIRED_PLACEHOLDER[kind];
  if (!argv.some((word) => word.includes(`{${needed}}`))) {
    throw usageError(`--${role} must contain {${needed}}: that is where the ${kind === 'ws-client' ? 'bot is told which URL to connect to' : 'subject is told which port to listen on'}`, `e.g. --${role} "./my-${kind === 'ws-client' ? 'bot --url {url}' : 'server --port {port}'}"`);
  }
  for (const word of argv) {
    for (const match of word.matchAll(/\{([a-zA-Z][\w-]*)\}/g)) {
      if (!PLACEHOLDERS[kind].includes(match[1] as string)) throw usageError(`--${role} uses {${match[1]}}, which --kind ${kind} does not fill (known: ${PLACEHOLDERS[kind].map((name) => `{${name}}`).join(' ')})`);
    }
  }
  return argv;
}

export function planCanary(flags: Flags): CanaryPlan {
  const kind = flags.string('kind') as CanaryKind;
  const aa = flags.boolean('aa');
  const hasBaseline = flags.has('baseline');
  const hasCanary = flags.has('canary');
  const canaryFault = flags.optionalString('canary-fault');
  if (aa && hasCanary) throw usageError('--aa runs the baseline against itself; it cannot be combined with --canary', 'drop --canary, or drop --aa');
  if (aa && canaryFault) throw usageError('--aa runs the baseline against itself; --canary-fault would make the two differ');
  if (hasCanary && !hasBaseline) throw usageError('--canary needs --baseline: a canary is judged against a baseline', 'pass --baseline "<cmd>" too');
  if (hasBaseline && !hasCanary && !aa) throw usageError('--baseline needs --canary (or --aa to run the baseline against itself)');
  const builtIn = !hasBaseline;
  if (canaryFault && !builtIn) throw usageError('--canary-fault changes the built-in canary; with --baseline/--canary your commands decide', 'drop --canary-fault');
  if (canaryFault && !CANARY_FAULTS[kind].includes(canaryFault)) throw usageError(`--canary-fault ${canaryFault} does not apply to --kind ${kind} (for ${kind}: ${CANARY_FAULTS[kind].join(', ') || 'none'})`);
  if (!WS_KINDS.includes(kind)) for (const name of WS_ONLY) if (flags.has(name)) throw usageError(`--${name} applies to --kind ws-client and ws-server only`);
  if (kind !== 'ws-server' && flags.has('ws-path')) throw usageError('--ws-path applies to --kind ws-server only (with ws-client the harness serves /chat)');
  const noun = kind === 'ws-server' ? 'service' : 'bot';
  if (!builtIn) for (const name of BUILT_IN_BOT_ONLY) if (flags.has(name)) throw usageError(`--${name} sets up the built-in ${noun}s; yours have their own settings`, `give --detect-within the ping interval + pong timeout of your ${noun}s instead`);
  if (flags.has('idle') && flags.has('soak')) throw usageError('--idle and --soak both set the idle time; pass one');
  if (!START_KINDS.includes(kind) && flags.has('starts')) throw usageError('--starts applies to --kind worker and policy only');
  if (kind !== 'worker') for (const name of WORKER_FLAGS_TAKEN) if (flags.has(name)) throw usageError(`--${name} applies to --kind worker only (it is worker:test's flag, taken as it is)`);
  if (kind !== 'worker' && flags.has('replicas')) throw usageError('--replicas applies to --kind worker only');
  const replicas = kind === 'worker' ? (flags.optionalNumber('replicas') ?? DEFAULT_REPLICAS) : 1;
  if (flags.number('samples') < MIN_SAMPLES_PER_ROUND * replicas) {
    throw usageError(`--samples ${flags.number('samples')} with --replicas ${replicas} leaves fewer than ${MIN_SAMPLES_PER_ROUND} samples per round`, `use --samples ${MIN_SAMPLES_PER_ROUND * replicas} or more, or fewer --replicas`);
  }

  const plan: CanaryPlan = {
    kind,
    aa,
    builtIn,
    canaryFault,
    compared: { baseline: '', canary: '' },
    argv: { baseline: [], canary: [] },
    raw: { baseline: flags.optionalString('baseline'), canary: aa ? flags.optionalString('baseline') : flags.optionalString('canary') },
    flagOf: { baseline: 'baseline', canary: aa ? 'baseline' : 'canary' },
    samples: flags.number('samples'),
    starts: flags.optionalNumber('starts') ?? 1,
    replicas,
    connectTimeoutMs: (flags.optionalNumber('connect-timeout') ?? (kind === 'worker' ? 120 : 30)) * 1000,
    judge: { alpha: flags.number('alpha'), effectFloor: flags.number('effect-floor') },
    workerArgs: WORKER_FLAGS_TAKEN.flatMap((name) => flags.list(name).flatMap((value) => [`--${name}`, value])),
    minEffectMs: flags.optionalNumber('min-effect-ms') ?? (WS_KINDS.includes(kind) ? DEFAULT_WS_MIN_EFFECT_MS : undefined),
    chat: undefined,
  };
  if (!builtIn) {
    plan.argv.baseline = userArgv(flags, 'baseline', kind);
    plan.argv.canary = aa ? plan.argv.baseline : userArgv(flags, 'canary', kind);
    plan.compared = { baseline: flags.string('baseline'), canary: aa ? `${flags.string('baseline')} (A/A: the baseline again)` : flags.string('canary') };
  }
  if (WS_KINDS.includes(kind)) plan.chat = planChat(flags, plan);
  else if (builtIn) {
    const what = kind === 'worker' ? `reference worker (tiny llama, ${flags.optionalString('profile') ?? 'seed'} API)` : `reference policy server (load ${kind === 'policy' ? '0.5' : ''} s)`;
    const regression = plan.canaryFault ? ` with --canary-fault ${plan.canaryFault}` : ' (no --canary-fault: the same subject; pass one to see a regression)';
    plan.compared = { baseline: what, canary: aa ? `${what} (A/A: the baseline again)` : `${what}${regression}` };
  }
  return plan;
}

/** The built-in pair of a WebSocket kind: argv templates and what they are, in words. */
function builtInChatPair(plan: CanaryPlan, knobs: { pingInterval: number; pongTimeout: number; maxAge: number; closeTimeout: number }, times: { idleS: number; reconnectWithinS: number }): { argv: Record<Role, string[]>; words: Record<Role, string> } {
  const shared = { ...knobs, replyDelayMs: 5, replyJitterMs: 0 };
  if (plan.kind === 'ws-server') {
    const baseline: ServiceKnobs = { ...shared, dropAfterIdle: 0, sessionLock: 0 };
    const canary = canaryServiceKnobs(baseline, plan.canaryFault, times);
    return { argv: { baseline: referenceServiceArgv(baseline), canary: referenceServiceArgv(canary) }, words: { baseline: describeService(baseline), canary: describeService(canary) } };
  }
  const baseline: BotKnobs = { ...shared, reconnect: true };
  const canary = canaryBotKnobs(baseline, plan.canaryFault);
  return { argv: { baseline: referenceBotArgv(baseline), canary: referenceBotArgv(canary) }, words: { baseline: describeBot(baseline), canary: describeBot(canary) } };
}

function planChat(flags: Flags, plan: CanaryPlan): WsServerPlan {
  const idleS = flags.has('soak') ? flags.number('soak') * 3600 : (flags.optionalNumber('idle') ?? 2);
  let maxAgeS = flags.optionalNumber('max-age');
  let detectS = flags.optionalNumber('detect-within');
  let closeS = flags.optionalNumber('close-within');
  const reconnectS = flags.optionalNumber('reconnect-within') ?? 5;
  if (plan.builtIn) {
    const pingInterval = flags.optionalNumber('ping-interval') ?? 1;
    const pongTimeout = flags.optionalNumber('pong-timeout') ?? 1;
    detectS ??= pingInterval + pongTimeout;
    closeS ??= 1;
    // Long enough that no proactive reconnect falls inside the after-idle probes (two idles, then a detection).
    maxAgeS ??= Math.ceil(2 * idleS + 1.25 * detectS + closeS + 1);
    const pair = builtInChatPair(plan, { pingInterval, pongTimeout, maxAge: maxAgeS, closeTimeout: closeS }, { idleS, reconnectWithinS: reconnectS });
    plan.argv = pair.argv;
    plan.flagOf = { baseline: 'baseline (built-in)', canary: 'canary (built-in)' };
    const same = plan.kind === 'ws-server' ? 'the same service' : 'the same bot';
    plan.compared = { baseline: pair.words.baseline, canary: plan.aa ? `${pair.words.baseline} (A/A: the baseline again)` : `${pair.words.canary}${plan.canaryFault ? ` (--canary-fault ${plan.canaryFault})` : ` (no --canary-fault: ${same}; pass one to see a regression)`}` };
    if (plan.aa) plan.argv.canary = plan.argv.baseline;
  }
  return {
    argv: plan.argv,
    flags: plan.flagOf,
    samples: plan.samples,
    connectTimeoutMs: plan.connectTimeoutMs,
    wsPath: flags.optionalString('ws-path') ?? '/chat',
    settings: {
      idleMs: idleS * 1000,
      replyTimeoutMs: (flags.optionalNumber('reply-timeout') ?? 5) * 1000,
      detectWithinMs: (detectS ?? 15) * 1000,
      reconnectWithinMs: reconnectS * 1000,
      maxAgeMs: maxAgeS === undefined ? undefined : maxAgeS * 1000,
      closeWithinMs: (closeS ?? 5) * 1000,
      burst: 3,
    },
  };
}
