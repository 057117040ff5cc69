import { beforeAll, describe, expect, it } from 'vitest';
import type { FrameGap } from '../../tasks/lib/status-protocol/frame-log.ts';
import { check, expectNothingRunning, NEEDS_READY, runStatusTask, verdicts, type StatusTaskRun } from './run-status-task.ts';
import { compareColdStartGaps, describeTiming } from './timing-agreement.ts';

/**
 * Each fault mode of the reference server makes exactly the cold start fail (the checks that
 * need its session are skipped, the others pass), exits 1, and leaves the evidence that names the
 * failure in report.json. Time is compressed by --fault: keepalive 1 s, per-message timeout 2 s,
 * pings every 0.5 s, updates every 0.25 s.
 */
describe('status-protocol:test --fault', () => {
  it('buggy-periodic: the cold start fails on a gap above the keepalive, with the gap the server really left', async () => {
    // Updates every 0.25 s as the buggy loop sees them: frames at 0, 1.035, 1.265, 2.53 s, ready at 2.6 s.
    const run = await runStatusTask(['--fault', 'buggy-periodic', '--load-seconds', '2.6']);
    expect(run.exitCode, run.output).toBe(1);
    const failed = Object.entries(verdicts(run.report)).filter(([, verdict]) => verdict !== 'pass');
    expect(failed).toEqual([['cold start', 'fail']]);
    const cold = check(run.report, 'cold start');
    expect(cold.code).toBe('STATUS_GAP_ABOVE_KEEPALIVE');
    expect(cold.detail).toContain('The server does send periodic status frames');
    expect(cold.detail).toContain('the server was alive (its event loop answered at once), its periodic updates just left a gap (like the old int(elapsed) % 5 bug)');
    expect(cold.evidence).toMatchObject({ diagnosis: 'gap-above-keepalive', pongs: 'on-time' });
    expect(cold.hint).toContain('not when int(elapsed) % 5 == 0');
    expect((cold.evidence.largestGap as FrameGap).ms).toBeGreaterThan(1000); // 1.265 s by construction, above the 1 s keepalive
    expect((cold.evidence.timeline as string[]).length).toBeGreaterThanOrEqual(4);
    // The gap the harness blames is the one the server really left: the same pair of frames, above
    // the keepalive in the server's own send times too (how closely the numbers agree: npm run bench -- status-gaps).
    const timing = compareColdStartGaps(run);
    console.info(describeTiming('buggy-periodic', timing));
    expect(timing.largestIndex).toBe(3); // frame 2 → frame 3: the drifted loop skipped two updates
    expect(timing.serverSamePairMs).toBeGreaterThan(1000);
    expect(timing.serverGapsMs.indexOf(timing.serverLargestMs)).toBe(3);
    expectNothingRunning(run);
  });

  it('block-event-loop: the cold start names a server that blocks its event loop (no frames, no pongs)', async () => {
    const run = await runStatusTask(['--fault', 'block-event-loop', '--load-seconds', '1.5']);
    expect(run.exitCode, run.output).toBe(1);
    const all = verdicts(run.report);
    expect(Object.entries(all).filter(([, verdict]) => verdict === 'fail')).toEqual([['cold start', 'fail']]);
    for (const name of NEEDS_READY) expect(all[name]).toBe('skip');
    expect(all['unknown model']).toBe('pass');
    expect(all['crash during loading']).toBe('pass');
    const cold = check(run.report, 'cold start');
    expect(cold.code).toBe('KEEPALIVE_TIMEOUT');
    expect(cold.detail).toContain('the server blocks its event loop while loading (no frames, no pongs)');
    expect(cold.evidence).toMatchObject({ diagnosis: 'event-loop-blocked', framesReceived: 1, keepaliveMs: 1000, messageTimeoutMs: 2000 });
    expect(cold.evidence.sinceLastFrameMs).toBeGreaterThanOrEqual(900);
    expect(cold.evidence.timeline).toEqual(expect.arrayContaining([expect.stringContaining('keepalive ping'), expect.stringContaining('Loading policy alpha...')]));
    expect(run.output).toContain('❌ cold start: [KEEPALIVE_TIMEOUT]');
    expectNothingRunning(run);
  });

  describe('crash-during-load (one run, read by both tests)', () => {
    let run: StatusTaskRun;
    beforeAll(async () => {
      run = await runStatusTask(['--fault', 'crash-during-load', '--load-seconds', '1']);
    });

    it('crash-during-load: the cold start reports a crash (closed 1006), not a slow load', () => {
      expect(run.exitCode, run.output).toBe(1);
      const all = verdicts(run.report);
      expect(Object.entries(all).filter(([, verdict]) => verdict === 'fail')).toEqual([['cold start', 'fail']]);
      expect(all['unknown model']).toBe('skip'); // the server is dead
      expect(all['crash during loading']).toBe('pass');
      const cold = check(run.report, 'cold start');
      expect(cold.code).toBe('CLOSED_DURING_HANDSHAKE');
      expect(cold.evidence).toMatchObject({ closeCode: 1006, diagnosis: 'crash' });
      expect(cold.detail).toContain('not a slow load');
      expect(cold.evidence.sinceLastFrameMs).toBeLessThan(2000);
      expectNothingRunning(run);
    });

    it('a server killed during loading: the cold start names the signal the harness recorded, not "crashed or was killed"', () => {
      expect(run.exitCode, run.output).toBe(1);
      const cold = check(run.report, 'cold start');
      expect(cold.code).toBe('CLOSED_DURING_HANDSHAKE');
      expect(cold.detail).toMatch(/the connection dropped without a close frame \(1006\) \S+ m?s after the last frame: the server process was killed by SIGKILL during loading — not a slow load/);
      expect(cold.evidence.exit).toEqual({ code: null, signal: 'SIGKILL' });
      expectNothingRunning(run);
    });
  });

  it('fail-load: the cold start reports a close without an error frame (1000)', async () => {
    const run = await runStatusTask(['--fault', 'fail-load', '--load-seconds', '1']);
    expect(run.exitCode, run.output).toBe(1);
    const all = verdicts(run.report);
    expect(Object.entries(all).filter(([, verdict]) => verdict === 'fail')).toEqual([['cold start', 'fail']]);
    expect(all['unknown model']).toBe('pass');
    const cold = check(run.report, 'cold start');
    expect(cold.code).toBe('CLOSED_DURING_HANDSHAKE');
    expect(cold.evidence).toMatchObject({ closeCode: 1000, diagnosis: 'closed-without-error' });
    expect(cold.detail).toContain('without an error frame');
    expect(cold.evidence.framesReceived).toBeGreaterThanOrEqual(2);
    expectNothingRunning(run);
  });
});
