import type { GuardOptions, ProcessGuard } from '../../process/process-guard.ts';
import { currentTimeline } from '../../report/timeline.ts';
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
  /** Probes not run, and why (printed and reported as skipped, never silently left out). */
  skipped?: ReadonlyArray<{ name: string; why: string }>;
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
  const crashed = (role: Role): ProbeOutcome | undefined => {
    const crash = subjects[role].crash;
    return crash ? { state: 'fail', detail: `the ${role} ${kind.noun} ${crash.detail}` } : undefined;
  };
  const probe = async ({ name, run, critical }: ChatProbe<S>): Promise<void> => {
    hooks.step(name);
    // Each probe's span on the timeline (lane "phases"), so the page shows when each gate was taken.
    const span = currentTimeline().span({ lane: 'phases', kind: 'phase', label: name });
    const outcomes = await bothSides(async (role) => {
      if (!up[role]) return { state: 'no-data', detail: `the ${role} ${kind.noun} never connected` };
      const before = crashed(role);
      if (before) return before;
      const outcome = await run(subjects[role]);
      const during = crashed(role); // a probe that failed because the process died says so first
      return during && outcome.state !== 'pass' ? { ...outcome, detail: `${during.detail} (the probe saw: ${outcome.detail})` } : outcome;
    });
    for (const role of ROLES) hooks.info(`${role}: ${outcomes[role].state} — ${outcomes[role].detail}`);
    const failed = ROLES.filter((role) => outcomes[role].state !== 'pass');
    span.end(failed.length === 0 ? 'ok' : failed.includes('canary') && !failed.includes('baseline') ? 'error' : 'warn', undefined, `${name}: baseline ${outcomes.baseline.state}, canary ${outcomes.canary.state}`);
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
    const blockOf: Record<Role, number[]> = { baseline: [], canary: [] };
    const lost: Record<Role, number> = { baseline: 0, canary: 0 };
    const orders: string[] = [];
    const blocks = kind.probes.length + 1;
    const latencyBlock = async (block: number): Promise<void> => {
      const span = currentTimeline().span({ lane: 'phases', kind: 'phase', label: `reply latency block ${block + 1}/${blocks}` });
      const count = Math.floor((plan.samples * (block + 1)) / blocks) - Math.floor((plan.samples * block) / blocks);
      const silent: Record<Role, boolean> = { baseline: false, canary: false }; // one unanswered sample ends that side's block
      const taken = await sampleInterleaved(count, async (role) => {
        if (silent[role] || !up[role] || subjects[role].crash) return undefined;
        let value: number | undefined;
        try {
          value = await replySample(subjects[role], plan.settings);
        } catch {
          value = undefined; // no open connection came, or the process exited: a lost sample (the crash gate names an exit)
        }
        if (value === undefined) silent[role] = true;
        return value;
      });
      for (const role of ROLES) {
        latency[role].push(...taken[role].values);
        blockOf[role].push(...taken[role].values.map(() => block + 1));
        lost[role] += taken[role].lost;
      }
      orders.push(taken.baseline.order);
      const lostHere = taken.baseline.lost + taken.canary.lost;
      span.end(lostHere ? 'warn' : 'ok', undefined, `reply latency block ${block + 1}/${blocks}: ${taken.baseline.values.length}/${taken.canary.values.length} samples${lostHere ? ` (lost ${taken.baseline.lost}/${taken.canary.lost})` : ''}`);
    };
    for (const { name, why } of kind.skipped ?? []) {
      hooks.step(`${name}: skipped (${why})`);
      evidence.skipped.push({ name, why });
    }
    hooks.info(`reply latency: ${plan.samples} samples per side, baseline/canary in random order, in ${blocks} blocks between the probes`);
    await latencyBlock(0);
    for (const [index, each] of kind.probes.entries()) {
      await probe(each);
      await latencyBlock(index + 1);
    }
    hooks.info(`reply latency: order of the pairs (first of each) ${orders.join(' ')}; lost: baseline ${lost.baseline}, canary ${lost.canary}`);
    evidence.metrics.push({ name: 'reply latency', unit: 'ms', better: 'lower', baseline: latency.baseline, canary: latency.canary, lost: { ...lost }, replicates: blockOf, replicateUnit: 'block' });
    for (const each of kind.closing) await probe(each);
  } finally {
    const survival = Object.fromEntries(ROLES.map((role) => [role, crashed(role) ?? { state: up[role] ? 'pass' : 'no-data', detail: up[role] ? `the ${kind.noun} ran until the harness stopped it` : `the ${role} ${kind.noun} never connected` }])) as Record<Role, ProbeOutcome>;
    addGate(evidence, 'runs without crashing', survival, true);
    if (ROLES.some((role) => subjects[role].crash)) {
      // A crash explains the gates after it: it leads the table and the reasons.
      evidence.gates.unshift(evidence.gates.pop() as (typeof evidence.gates)[number]);
      evidence.probes.unshift(evidence.probes.pop() as (typeof evidence.probes)[number]);
    }
    evidence.crashes = Object.fromEntries(ROLES.flatMap((role) => (subjects[role].crash ? [[role, subjects[role].crash]] : [])));
    await Promise.all(ROLES.map((role) => kind.dispose(subjects[role])));
    evidence.faults = ROLES.flatMap((role) => subjects[role].proxy.eventsForReport()).sort((a, b) => a.atMs - b.atMs);
  }
  return evidence;
}
