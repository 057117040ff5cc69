import type { GuardOptions, ProcessGuard } from '../../process/process-guard.ts';
import { addGate, bothSides, emptyEvidence, type CanaryEvidence } from '../canary-evidence.ts';
import { sampleInterleaved } from '../interleave.ts';
import { ROLES, type ProbeOutcome, type Role } from '../probe-outcome.ts';
import { replySample, type ChatProbeSettings } from './chat-probes.ts';
import type { ChatLaunch } from './chat-launch.ts';
import type { ChatSubject } from './chat-waits.ts';

export interface KindHooks {
  start: (options: GuardOptions) => Promise<ProcessGuard>;
  step: (text: string) => void;
  info: (text: string) => void;
  tailLines?: number;
}

/** What a WebSocket kind's run needs from the plan. */
export interface ChatPlan {
  argv: Record<Role, readonly string[]>;
  flags: Record<Role, string>;
  settings: ChatProbeSettings;
  samples: number;
  connectTimeoutMs: number;
  cwd?: string;
}

/** How a side's subject is started, from the plan and the task's hooks. */
export function chatLaunch(plan: ChatPlan, hooks: KindHooks, role: Role): ChatLaunch {
  return { role, argv: plan.argv[role], flag: plan.flags[role], start: hooks.start, connectTimeoutMs: plan.connectTimeoutMs, tailLines: hooks.tailLines, ...(plan.cwd ? { cwd: plan.cwd } : {}) };
}

export interface ChatProbe<S extends ChatSubject> {
  name: string;
  run: (subject: S) => Promise<ProbeOutcome>;
  critical?: boolean;
}

/** What a WebSocket kind plugs into the shared run: its subjects and its probes. */
export interface ChatKind<S extends ChatSubject> {
  /** `bot`, `service`. */
  noun: string;
  /** The harness's side for one role (chat end, proxy), before any process starts. */
  prepare: (role: Role) => Promise<S>;
  /** Starts the subject and waits for its first connection (sets `connectMs`). */
  start: (subject: S) => Promise<void>;
  dispose: (subject: S) => Promise<void>;
  /** Probes with a block of reply-latency samples before and after each. */
  probes: ReadonlyArray<ChatProbe<S>>;
  /** Probes after the latency sample (the last one may end the subjects). */
  closing: ReadonlyArray<ChatProbe<S>>;
}

/**
 * The run shared by the WebSocket kinds: both subjects start beside their own chat end and fault
 * proxy; every probe runs on both at once; reply latency is sampled baseline/canary interleaved in
 * random order, in blocks between the probes, so a stretch of bad luck for one process
 * (descheduled, a GC) lands in one block instead of the whole sample.
 */
export async function runChatCanary<S extends ChatSubject>(kind: ChatKind<S>, plan: { samples: number; settings: ChatProbeSettings }, hooks: KindHooks): Promise<CanaryEvidence> {
  const evidence = emptyEvidence();
  const subjects = { baseline: await kind.prepare('baseline'), canary: await kind.prepare('canary') } as Record<Role, S>;
  const up: Record<Role, boolean> = { baseline: false, canary: false };
  const probe = async ({ name, run, critical }: ChatProbe<S>): Promise<void> => {
    hooks.step(name);
    const outcomes = await bothSides((role) => (up[role] ? run(subjects[role]) : Promise.resolve({ state: 'no-data', detail: `the ${role} ${kind.noun} never connected` })));
    for (const role of ROLES) hooks.info(`${role}: ${outcomes[role].state} — ${outcomes[role].detail}`);
    addGate(evidence, name, outcomes, critical ?? false);
  };
  try {
    hooks.step(`Starting the ${kind.noun}s`);
    const connects = await bothSides(async (role) => {
      try {
        await kind.start(subjects[role]);
        up[role] = true;
        return { state: 'pass', detail: `connected ${Math.round(subjects[role].connectMs ?? 0)} ms after start`, valueMs: subjects[role].connectMs };
      } catch (error) {
        return { state: 'fail', detail: (error as Error).message };
      }
    });
    addGate(evidence, 'connects', connects);

    const latency: Record<Role, number[]> = { baseline: [], canary: [] };
    const lost: Record<Role, number> = { baseline: 0, canary: 0 };
    const orders: string[] = [];
    const blocks = kind.probes.length + 1;
    const latencyBlock = async (block: number): Promise<void> => {
      const count = Math.floor((plan.samples * (block + 1)) / blocks) - Math.floor((plan.samples * block) / blocks);
      const silent: Record<Role, boolean> = { baseline: false, canary: false }; // one unanswered sample ends that side's block
      const taken = await sampleInterleaved(count, async (role) => {
        if (silent[role] || !up[role] || !subjects[role].chat.current()) return undefined;
        const value = await replySample(subjects[role], plan.settings);
        if (value === undefined) silent[role] = true;
        return value;
      });
      for (const role of ROLES) {
        latency[role].push(...taken[role].values);
        lost[role] += taken[role].lost;
      }
      orders.push(taken.baseline.order);
    };
    hooks.info(`reply latency: ${plan.samples} samples per side, baseline/canary in random order, in ${blocks} blocks between the probes`);
    await latencyBlock(0);
    for (const [index, each] of kind.probes.entries()) {
      await probe(each);
      await latencyBlock(index + 1);
    }
    hooks.info(`reply latency: order of the pairs (first of each) ${orders.join(' ')}; lost: baseline ${lost.baseline}, canary ${lost.canary}`);
    evidence.metrics.push({ name: 'reply latency', unit: 'ms', better: 'lower', baseline: latency.baseline, canary: latency.canary });
    for (const each of kind.closing) await probe(each);
  } finally {
    await Promise.all(ROLES.map((role) => kind.dispose(subjects[role])));
    evidence.faults = ROLES.flatMap((role) => subjects[role].proxy.eventsForReport()).sort((a, b) => a.atMs - b.atMs);
  }
  return evidence;
}
