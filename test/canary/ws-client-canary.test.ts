import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { referenceBotArgv, type BotKnobs } from '../../tasks/canary-check/reference-bot.ts';
import type { CanaryEvidence } from '../../tasks/lib/canary/canary-evidence.ts';
import { runWsClientCanary } from '../../tasks/lib/canary/ws-client/run-ws-client.ts';
import { liveGuards } from '../../tasks/lib/process/guard-registry.ts';
import { ProcessGuard } from '../../tasks/lib/process/process-guard.ts';
import { runTask } from '../helpers/run-task-in-process.ts';

/**
 * Compressed time: 0.5 s idle, 0.5 s pings with a 1 s pong timeout, 7 s max age. The budgets
 * (detect within 2 s, close within 2 s) leave room for a loaded machine; a bot without
 * keepalive or with a blocking close misses them by far. The max age is canary:check's own default
 * for these budgets (2 × idle + 1.25 × detect-within + close-within + 1 s): a shorter one (4 s left
 * 0.4 s) lets a bot's max-age close fall inside the stale-path probe on a busy machine, where it
 * reads as noticing the dead path.
 *
 * The runs of runPair wait mostly on those budgets and run side by side (`it.concurrent`). The
 * task runs (runTask) run one at a time: writing a run's reports is synchronous work in this
 * process that, on a busy machine, delays the pongs other runs' subjects wait for. The pong timeout
 * is 1 s: with 0.5 s, a subject descheduled for half a second (two busy loops, load 17) timed out a
 * pong that had arrived and dropped a healthy connection (a max-age close seen 2 s early).
 */
const FAST = ['--idle', '0.5', '--ping-interval', '0.5', '--pong-timeout', '1', '--max-age', '7', '--detect-within', '2', '--close-within', '2', '--samples', '20'];
const BASE: BotKnobs = { pingInterval: 0.5, pongTimeout: 1, maxAge: 7, reconnect: true, closeTimeout: 1, replyDelayMs: 5, replyJitterMs: 0 };

async function runPair(canary: BotKnobs, baseline: BotKnobs = BASE): Promise<CanaryEvidence> {
  return await runWsClientCanary(
    {
      argv: { baseline: referenceBotArgv(baseline), canary: referenceBotArgv(canary) },
      flags: { baseline: 'baseline', canary: 'canary' },
      samples: 5,
      connectTimeoutMs: 60_000,
      settings: { idleMs: 500, replyTimeoutMs: 2000, detectWithinMs: 2000, reconnectWithinMs: 2000, maxAgeMs: 7000, closeWithinMs: 2000, burst: 3 },
    },
    { start: (options) => ProcessGuard.start(options), step: () => undefined, info: () => undefined },
  );
}

const states = (evidence: CanaryEvidence): Record<string, string> => Object.fromEntries(evidence.gates.map((gate) => [gate.name, `${gate.baseline}/${gate.canary}`]));

describe('canary:check --kind ws-client', () => {
  afterAll(() => expect(liveGuards()).toEqual([]));

  it.concurrent('fails the proactive-reconnect, before-close and dead-path-close probes on a bot without them', async () => {
    // 700 ms of handling: the replies are still being handled when the close comes, 500 ms after the burst
    const evidence = await runPair({ ...BASE, maxAge: 0, replyDelayMs: 700, faults: ['lose-buffered', 'close-blocks'] });
    expect(states(evidence), JSON.stringify(evidence.probes)).toMatchObject({
      connects: 'pass/pass',
      'proactive reconnect at max age': 'pass/fail',
      'first message after idle': 'pass/pass',
      'stale path after idle': 'pass/pass',
      'messages sent just before a close': 'pass/fail',
      'close on a dead path': 'pass/fail',
    });
  });

  it.concurrent('fails the stale-path and reset probes on a bot that does not reconnect', async () => {
    const evidence = await runPair({ ...BASE, reconnect: false });
    expect(states(evidence)).toMatchObject({ 'proactive reconnect at max age': 'pass/pass', 'first message after idle': 'pass/pass', 'stale path after idle': 'pass/fail', 'reset on first send after idle': 'pass/fail' });
    expect(evidence.probes.find((probe) => probe.name === 'stale path after idle')?.canary.detail).toMatch(/did not reconnect/);
  });

  // Python's websockets on a pong timeout sends a close frame (1011), then waits its close timeout
  // before dropping the socket: noticing is the close frame, the drop comes a close timeout later.
  // One run serves two tests: both sides close with a handshake on a pong timeout (the stale-path
  // test reads both), and the canary also keeps no outbox (the delivery-rule test reads the canary).
  const closing: BotKnobs = { ...BASE, onPongTimeout: 'close', closeTimeout: 2 };
  let closingRun: Promise<CanaryEvidence> | undefined;
  const closingPair = (): Promise<CanaryEvidence> => (closingRun ??= runPair({ ...closing, faults: ['lose-buffered'] }, closing));

  it.concurrent('counts a bot as noticing the dead path when it sends its close frame, not when its socket drops a close timeout later', async () => {
    const evidence = await closingPair();
    const stale = evidence.probes.find((probe) => probe.name === 'stale path after idle');
    for (const side of [stale?.baseline, stale?.canary]) {
      expect(side, JSON.stringify(stale)).toMatchObject({ state: 'pass', detail: expect.stringMatching(/close frame sent into the dead path after .*socket dropped after/) });
      expect(side?.valueMs).toBeLessThanOrEqual(2000 * 1.25 + 500);
      expect((side?.evidence as { socketDroppedMs: number }).socketDroppedMs - (side?.valueMs ?? 0)).toBeGreaterThan(1500); // the close timeout, reported apart
    }
  });

  // The typical bot: answers on the connection a message came in on, nothing kept across connections.
  it.concurrent('a bot that answers promptly but keeps no outbox meets the delivery rule (answers in the window before the close)', async () => {
    const evidence = await closingPair();
    const probe = evidence.probes.find((each) => each.name === 'messages sent just before a close');
    expect(probe?.canary, JSON.stringify(probe)).toMatchObject({ state: 'pass', detail: expect.stringMatching(/^3\/3 answered \(3 in the 500 ms before the close/) });
  });

  it('rolls a keepalive-off canary back on the stale-path probe, while the baseline detects the black hole in time', async () => {
    const run = await runTask(['canary:check', '--canary-fault', 'keepalive-off', ...FAST, '--reconnect-within', '2', '--reply-timeout', '2']); // as runPair's: the canary's probes after the stale path wait them out
    expect(run.exitCode).toBe(1);
    expect(run.report.decision).toMatchObject({ verdict: 'rollback', exitCode: 1 });
    expect(run.report.decision?.reason).toMatch(/gate "stale path after idle" regressed/);
    const canary = (run.report as unknown as { canary: { probes: Array<{ name: string; baseline: { state: string; valueMs?: number }; canary: { state: string; detail: string } }>; faults: Array<{ action: string; proxy: string }> } }).canary;
    const stale = canary.probes.find((probe) => probe.name === 'stale path after idle');
    expect(stale?.baseline.state).toBe('pass');
    expect(stale?.baseline.valueMs).toBeLessThanOrEqual(2000 * 1.25 + 500); // --detect-within, with the allowance
    expect(stale?.canary).toMatchObject({ state: 'fail', detail: expect.stringMatching(/did not notice the dead path/) });
    // every fault is in the report and on the run timeline
    expect(canary.faults.filter((fault) => fault.action === 'set').length).toBeGreaterThanOrEqual(6);
    expect(run.report.timeline.events.some((event) => event.lane === 'faults' && event.label.includes('black hole'))).toBe(true);
    // one junit testcase per gate and per metric
    const junit = readFileSync(join(run.reportDir, 'junit.xml'), 'utf8');
    expect(junit).toMatch(/<testcase [^>]*name="gate: stale path after idle"[^>]*>\s*<failure type="CANARY_REGRESSION"/);
    expect(junit).toMatch(/name="metric: reply latency"/);
    expect(run.output).toMatch(/ROLLBACK/);
  });

  it('a canary bot that crashes after its 3rd reply is rolled back naming the exit; the decision is in report.json', async () => {
    const run = await runTask(['canary:check', '--canary-fault', 'crash', ...FAST]);
    expect(run.exitCode, run.output.slice(-3000)).toBe(1);
    expect(run.report.decision).toMatchObject({ verdict: 'rollback', exitCode: 1, reason: expect.stringMatching(/^gate "runs without crashing" regressed: passes on the baseline, fails on the canary \(canary: the canary bot exited with code 1 at .* last log line: ".*crashing after 3 replies/) });
    const canary = (run.report as unknown as { canary: { decision: string; crashes: { canary: { detail: string } }; metrics: Array<{ lost?: unknown }> } }).canary;
    expect(canary.decision).toBe('rollback');
    expect(canary.crashes.canary.detail).toMatch(/exited with code 1/);
  });

  it('a crashing baseline is an environment error (exit 3) naming the baseline, with no decision and why in report.json', async () => {
    const bot = referenceBotArgv(BASE).join(' ');
    const run = await runTask(['canary:check', '--baseline', `${bot} --exit-after-replies 3`, '--canary', bot, '--idle', '0.5', '--detect-within', '2', '--close-within', '2', '--samples', '20']);
    expect(run.exitCode, run.output.slice(-3000)).toBe(3);
    expect(run.report.error).toMatchObject({ code: 'CANARY_BASELINE_CRASHED', message: expect.stringMatching(/no canary decision: the baseline bot exited with code 1/) });
    const canary = (run.report as unknown as { canary: { decision: null; noDecision: string } }).canary;
    expect(canary.decision).toBeNull();
    expect(canary.noDecision).toMatch(/a canary is judged only against a baseline that keeps running/);
  });
});
