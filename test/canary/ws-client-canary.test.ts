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
 * Compressed time: 0.5 s idle, 0.5 s pings with a 0.5 s pong timeout, 4 s max age. The budgets
 * (detect within 1.5 s, close within 2 s) leave room for a loaded machine; a bot without
 * keepalive or with a blocking close misses them by far.
 */
const FAST = ['--idle', '0.5', '--ping-interval', '0.5', '--pong-timeout', '0.5', '--max-age', '4', '--detect-within', '1.5', '--close-within', '2', '--samples', '20'];
const BASE: BotKnobs = { pingInterval: 0.5, pongTimeout: 0.5, maxAge: 4, reconnect: true, closeTimeout: 1, replyDelayMs: 5, replyJitterMs: 0 };

async function runPair(canary: BotKnobs): Promise<CanaryEvidence> {
  return await runWsClientCanary(
    {
      argv: { baseline: referenceBotArgv(BASE), canary: referenceBotArgv(canary) },
      flags: { baseline: 'baseline', canary: 'canary' },
      samples: 5,
      connectTimeoutMs: 60_000,
      settings: { idleMs: 500, replyTimeoutMs: 2000, detectWithinMs: 1500, reconnectWithinMs: 2000, maxAgeMs: 4000, closeWithinMs: 2000, burst: 3 },
    },
    { start: (options) => ProcessGuard.start(options), step: () => undefined, info: () => undefined },
  );
}

const states = (evidence: CanaryEvidence): Record<string, string> => Object.fromEntries(evidence.gates.map((gate) => [gate.name, `${gate.baseline}/${gate.canary}`]));

describe('canary:check --kind ws-client', () => {
  afterAll(() => expect(liveGuards()).toEqual([]));

  it('rolls a keepalive-off canary back on the stale-path probe, while the baseline detects the black hole in time', async () => {
    const run = await runTask(['canary:check', '--canary-fault', 'keepalive-off', ...FAST]);
    expect(run.exitCode).toBe(1);
    expect(run.report.decision).toMatchObject({ verdict: 'rollback', exitCode: 1 });
    expect(run.report.decision?.reason).toMatch(/gate "stale path after idle" regressed/);
    const canary = (run.report as unknown as { canary: { probes: Array<{ name: string; baseline: { state: string; valueMs?: number }; canary: { state: string; detail: string } }>; faults: Array<{ action: string; proxy: string }> } }).canary;
    const stale = canary.probes.find((probe) => probe.name === 'stale path after idle');
    expect(stale?.baseline.state).toBe('pass');
    expect(stale?.baseline.valueMs).toBeLessThanOrEqual(1500 * 1.25 + 500); // --detect-within, with the allowance
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

  it.concurrent('fails the proactive-reconnect, before-close and dead-path-close probes on a bot without them', async () => {
    const evidence = await runPair({ ...BASE, maxAge: 0, faults: ['lose-buffered', 'close-blocks'] });
    expect(states(evidence)).toMatchObject({
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
});
