import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { referenceServiceArgv, type ServiceKnobs } from '../../tasks/canary-check/reference-service.ts';
import type { CanaryEvidence } from '../../tasks/lib/canary/canary-evidence.ts';
import { runWsServerCanary } from '../../tasks/lib/canary/ws-server/run-ws-server.ts';
import { liveGuards } from '../../tasks/lib/process/guard-registry.ts';
import { ProcessGuard } from '../../tasks/lib/process/process-guard.ts';
import { runTask } from '../helpers/run-task-in-process.ts';

/**
 * Compressed time: 0.5 s idle, 0.5 s pings with a 1 s pong timeout, 7 s max age. The budgets
 * (detect within 2 s, close within 2 s) leave room for a loaded machine; a service without
 * keepalive or with a blocking close misses them by far. The max age is canary:check's own default
 * for these budgets (2 × idle + 1.25 × detect-within + close-within + 1 s): a shorter one (4 s left
 * 0.4 s) lets a service's max-age close fall inside the stale-path probe on a busy machine, where it
 * reads as noticing the dead path.
 *
 * The runs of runPair wait mostly on those budgets and run side by side (`it.concurrent`). The
 * task runs (runTask) run one at a time: writing a run's reports is synchronous work in this
 * process that, on a busy machine, delays the pongs other runs' subjects wait for. The pong timeout
 * is 1 s: with 0.5 s, a subject descheduled for half a second (two busy loops, load 17) timed out a
 * pong that had arrived and dropped a healthy connection (a max-age close seen 2 s early).
 */
const FAST = ['--kind', 'ws-server', '--idle', '0.5', '--ping-interval', '0.5', '--pong-timeout', '1', '--max-age', '7', '--detect-within', '2', '--close-within', '2', '--samples', '20'];
const BASE: ServiceKnobs = { pingInterval: 0.5, pongTimeout: 1, maxAge: 7, closeTimeout: 1, replyDelayMs: 5, replyJitterMs: 0, dropAfterIdle: 0, sessionLock: 0 };

const SETTINGS = { idleMs: 500, replyTimeoutMs: 2000, detectWithinMs: 2000, reconnectWithinMs: 2000, maxAgeMs: 7000 as number | undefined, closeWithinMs: 2000, burst: 3 };

async function runPair(canary: ServiceKnobs, baseline: ServiceKnobs = BASE, samples = 5, settings = SETTINGS): Promise<CanaryEvidence> {
  return await runWsServerCanary(
    {
      argv: { baseline: referenceServiceArgv(baseline), canary: referenceServiceArgv(canary) },
      flags: { baseline: 'baseline', canary: 'canary' },
      samples,
      connectTimeoutMs: 60_000,
      wsPath: '/chat',
      settings,
    },
    { start: (options) => ProcessGuard.start(options), step: () => undefined, info: () => undefined },
  );
}

const states = (evidence: CanaryEvidence): Record<string, string> => Object.fromEntries(evidence.gates.map((gate) => [gate.name, `${gate.baseline}/${gate.canary}`]));

describe('canary:check --kind ws-server', () => {
  afterAll(() => expect(liveGuards()).toEqual([]));

  it.concurrent('fails the first-message and reset probes on a service that drops after idle and locks lost sessions', async () => {
    // No max age on either side (the probe is skipped): what is asserted comes after it. The canary
    // drops a connection idle for 1 s, half the probes' 2 s idle: with 0.25 s of 0.5 s, a busy
    // machine (two busy loops) left the fresh connection idle that long before its first message,
    // and "connects" failed on the canary.
    const evidence = await runPair({ ...BASE, maxAge: 0, dropAfterIdle: 1, sessionLock: 5 }, { ...BASE, maxAge: 0 }, 5, { ...SETTINGS, idleMs: 2000, maxAgeMs: undefined });
    expect(states(evidence)).toMatchObject({ connects: 'pass/pass', 'first message after idle': 'pass/fail', 'stale path after idle': 'pass/pass', 'reset on first send after idle': 'pass/fail' });
    expect(evidence.probes.find((probe) => probe.name === 'reset on first send after idle')?.canary.detail).toMatch(/not answered within/);
  });

  // A service that exits at once on SIGTERM: after "messages sent just before a close" restarts it,
  // the old connection's 1006 can arrive after the new process listens. The next probe and the
  // latency samples must wait for the new connection, not find none (or the dead one).
  it.concurrent('after restarting a service that exits at once on SIGTERM, the next probes and samples run on the new connection', async () => {
    const abrupt: ServiceKnobs = { ...BASE, onSigterm: 'exit' };
    const evidence = await runPair(abrupt, abrupt, 20);
    const after = ['close on a dead path'];
    for (const name of after) expect(states(evidence)[name], JSON.stringify(evidence.probes.find((probe) => probe.name === name))).toBe('pass/pass');
    expect(JSON.stringify(evidence.probes)).not.toMatch(/no open connection/);
    // exiting without a closing handshake is no graceful shutdown on either side, whatever the timing: a hold, never a coin toss
    const burst = evidence.probes.find((probe) => probe.name === 'messages sent just before a close');
    for (const side of [burst?.baseline, burst?.canary]) expect(side, JSON.stringify(burst)).toMatchObject({ state: 'fail', detail: expect.stringMatching(/without a closing handshake \(1006\) on SIGTERM/) });
    const latency = evidence.metrics.find((metric) => metric.name === 'reply latency');
    expect(latency?.lost).toEqual({ baseline: 0, canary: 0 });
    expect([latency?.baseline.length, latency?.canary.length]).toEqual([20, 20]);
  });

  it.concurrent('fails the max-age, before-close and dead-path-close probes on a service that breaks them', async () => {
    // 100 ms of handling per message, so the SIGTERM surely lands while the burst is being
    // handled (with 5 ms a service descheduled for 5 ms on a busy machine answers before it sees the signal).
    const evidence = await runPair({ ...BASE, replyDelayMs: 100, faults: ['max-age-abrupt', 'lose-on-close', 'close-blocks'] });
    expect(states(evidence)).toMatchObject({
      connects: 'pass/pass',
      'graceful close at max age': 'pass/fail',
      'first message after idle': 'pass/pass',
      'stale path after idle': 'pass/pass',
      'reset on first send after idle': 'pass/pass',
      'messages sent just before a close': 'pass/fail',
      'close on a dead path': 'pass/fail',
    });
    const detail = (name: string): string | undefined => evidence.probes.find((probe) => probe.name === name)?.canary.detail;
    expect(detail('graceful close at max age')).toMatch(/without a closing handshake \(1006\)/);
    expect(detail('messages sent just before a close')).toMatch(/3 of 3 messages .* never answered/);
  });

  // Python's websockets accepts permessage-deflate when offered: the harness offers none, so the
  // bytes the proxy passes are the frames it sent.
  it.concurrent('a service that accepts permessage-deflate passes the before-close probe (the harness offers no compression)', async () => {
    const deflating: ServiceKnobs = { ...BASE, deflate: true };
    const evidence = await runPair({ ...deflating, maxAge: 0 }, { ...deflating, maxAge: 0 }, 5, { ...SETTINGS, maxAgeMs: undefined }); // no max age: the probe asserted comes after it
    const probe = evidence.probes.find((each) => each.name === 'messages sent just before a close');
    expect(probe?.baseline, JSON.stringify(probe)).toMatchObject({ state: 'pass' });
    expect(probe?.canary).toMatchObject({ state: 'pass' });
  });

  it('rolls a keepalive-off service back on the stale-path probe, while the baseline drops the dead client in time', async () => {
    const run = await runTask(['canary:check', '--canary-fault', 'keepalive-off', ...FAST, '--reconnect-within', '2', '--reply-timeout', '2']); // as runPair's: the canary's probes after the stale path wait them out
    expect(run.exitCode).toBe(1);
    expect(run.report.decision).toMatchObject({ verdict: 'rollback', exitCode: 1 });
    expect(run.report.decision?.reason).toMatch(/gate "stale path after idle" regressed/);
    const canary = (run.report as unknown as { canary: { probes: Array<{ name: string; baseline: { state: string; valueMs?: number }; canary: { state: string; detail: string } }>; faults: Array<{ action: string }> } }).canary;
    const stale = canary.probes.find((probe) => probe.name === 'stale path after idle');
    expect(stale?.baseline.state).toBe('pass');
    expect(stale?.baseline.valueMs).toBeLessThanOrEqual(2000 * 1.25 + 500); // --detect-within, with the allowance
    expect(stale?.canary).toMatchObject({ state: 'fail', detail: expect.stringMatching(/did not drop the dead client/) });
    // the other probes pass on both: only keepalive was taken away
    for (const name of ['connects', 'graceful close at max age', 'first message after idle', 'reset on first send after idle', 'messages sent just before a close', 'close on a dead path']) {
      expect(canary.probes.find((probe) => probe.name === name)?.canary.state, name).toBe('pass');
    }
    expect(run.report.timeline.events.some((event) => event.lane === 'faults' && event.label.includes('black hole'))).toBe(true);
    expect(readFileSync(join(run.reportDir, 'junit.xml'), 'utf8')).toMatch(/<testcase [^>]*name="gate: stale path after idle"[^>]*>\s*<failure type="CANARY_REGRESSION"/);
    expect(run.output).toMatch(/compared: baseline = reference chat service \(ping 0\.5 s/);
  });

  // The same service on both sides: every gate passes on both, and it never rolls back. Whether
  // 20 latency samples per side promote or hold is chance (an A/A holds in ~10 % of runs on this
  // machine: `npm run bench -- canary-aa`), so a hold is accepted only for an inconclusive metric.
  it('passes every gate of the built-in pair (the same service on both sides), never rolls it back, and says what it compared', async () => {
    const run = await runTask(['canary:check', ...FAST]);
    const canary = (run.report as unknown as { canary: { gates: Array<{ name: string; baseline: string; canary: string }>; metrics: Array<{ verdict: string }> } }).canary;
    expect(canary.gates.filter((gate) => gate.baseline !== 'pass' || gate.canary !== 'pass'), run.output.slice(-3000)).toEqual([]);
    expect(canary.gates.map((gate) => gate.name)).toEqual(['connects', 'graceful close at max age', 'first message after idle', 'stale path after idle', 'reset on first send after idle', 'messages sent just before a close', 'close on a dead path', 'runs without crashing']);
    if (run.report.decision?.verdict === 'hold') expect(canary.metrics.map((metric) => metric.verdict)).toEqual(['inconclusive']);
    else expect(run.report.decision).toMatchObject({ verdict: 'promote', exitCode: 0 });
    expect(run.exitCode).toBe(run.report.decision?.verdict === 'hold' ? 4 : 0);
    expect(run.output).toMatch(/no --canary-fault: the same service/);
  });
});
