import type { GuardOptions, ProcessGuard } from '../../process/process-guard.ts';
import { addGate, bothSides, emptyEvidence, type CanaryEvidence } from '../canary-evidence.ts';
import { sampleInterleaved } from '../interleave.ts';
import { ROLES, type ProbeOutcome, type Role } from '../probe-outcome.ts';
import { closeOnDeadPath, firstMessageAfterIdle, messagesBeforeClose, proactiveReconnect, replySample, resetOnFirstSend, stalePathAfterIdle, type BotProbeSettings } from './bot-probes.ts';
import { disposeBot, prepareBot, startBot, type BotSubject } from './bot-subject.ts';

export interface WsClientPlan {
  argv: Record<Role, readonly string[]>;
  flags: Record<Role, string>;
  settings: BotProbeSettings;
  samples: number;
  connectTimeoutMs: number;
  cwd?: string;
}

export interface KindHooks {
  start: (options: GuardOptions) => Promise<ProcessGuard>;
  step: (text: string) => void;
  info: (text: string) => void;
  tailLines?: number;
}

const notConnected = (subject: BotSubject): ProbeOutcome => ({ state: 'no-data', detail: `the ${subject.role} bot never connected` });

/**
 * `--kind ws-client`: both bots start beside their own chat service and fault proxy; every
 * probe runs on both at once; reply latency is sampled baseline/canary interleaved in random
 * order; the close-on-dead-path probe comes last because it ends the bots.
 */
export async function runWsClientCanary(plan: WsClientPlan, hooks: KindHooks): Promise<CanaryEvidence> {
  const evidence = emptyEvidence();
  const subjects: Record<Role, BotSubject> = { baseline: await prepareBot('baseline'), canary: await prepareBot('canary') };
  const up: Record<Role, boolean> = { baseline: false, canary: false };
  const probe = async (name: string, run: (subject: BotSubject) => Promise<ProbeOutcome>, critical = false): Promise<void> => {
    hooks.step(name);
    const outcomes = await bothSides((role) => (up[role] ? run(subjects[role]) : Promise.resolve(notConnected(subjects[role]))));
    for (const role of ['baseline', 'canary'] as const) hooks.info(`${role}: ${outcomes[role].state} — ${outcomes[role].detail}`);
    addGate(evidence, name, outcomes, critical);
  };
  try {
    hooks.step('Starting the bots');
    const connects = await bothSides(async (role) => {
      try {
        await startBot(subjects[role], { role, argv: plan.argv[role], flag: plan.flags[role], start: hooks.start, connectTimeoutMs: plan.connectTimeoutMs, tailLines: hooks.tailLines, ...(plan.cwd ? { cwd: plan.cwd } : {}) });
        up[role] = true;
        return { state: 'pass', detail: `connected ${Math.round(subjects[role].connectMs ?? 0)} ms after start`, valueMs: subjects[role].connectMs };
      } catch (error) {
        return { state: 'fail', detail: (error as Error).message };
      }
    });
    addGate(evidence, 'connects', connects);
    const { settings } = plan;
    // Reply latency is sampled in blocks between the probes, so a stretch of bad luck for one
    // process (descheduled, a GC) lands in one block instead of the whole sample.
    const probes: Array<[string, (subject: BotSubject) => Promise<ProbeOutcome>, boolean]> = [
      ...(settings.maxAgeMs !== undefined ? [['proactive reconnect at max age', (subject: BotSubject) => proactiveReconnect(subject, settings), false] as [string, (subject: BotSubject) => Promise<ProbeOutcome>, boolean]] : []),
      ['first message after idle', (subject) => firstMessageAfterIdle(subject, settings), true],
      ['stale path after idle', (subject) => stalePathAfterIdle(subject, settings), true],
      ['reset on first send after idle', (subject) => resetOnFirstSend(subject, settings), false],
      ['messages sent just before a close', (subject) => messagesBeforeClose(subject, settings), false],
    ];
    const latency: Record<Role, number[]> = { baseline: [], canary: [] };
    const lost: Record<Role, number> = { baseline: 0, canary: 0 };
    const orders: string[] = [];
    const blocks = probes.length + 1;
    const latencyBlock = async (block: number): Promise<void> => {
      const count = Math.floor((plan.samples * (block + 1)) / blocks) - Math.floor((plan.samples * block) / blocks);
      const silent: Record<Role, boolean> = { baseline: false, canary: false }; // one unanswered sample ends that side's block
      const taken = await sampleInterleaved(count, async (role) => {
        if (silent[role] || !up[role] || !subjects[role].chat.current()) return undefined;
        const value = await replySample(subjects[role], settings);
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
    for (const [index, [name, run, critical]] of probes.entries()) {
      await probe(name, run, critical);
      await latencyBlock(index + 1);
    }
    hooks.info(`reply latency: order of the pairs (first of each) ${orders.join(' ')}; lost: baseline ${lost.baseline}, canary ${lost.canary}`);
    evidence.metrics.push({ name: 'reply latency', unit: 'ms', better: 'lower', baseline: latency.baseline, canary: latency.canary });

    await probe('close on a dead path', (subject) => closeOnDeadPath(subject, settings));
  } finally {
    await Promise.all([disposeBot(subjects.baseline), disposeBot(subjects.canary)]);
    evidence.faults = [...subjects.baseline.proxy.eventsForReport(), ...subjects.canary.proxy.eventsForReport()].sort((a, b) => a.atMs - b.atMs);
  }
  return evidence;
}
