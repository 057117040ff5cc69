import { describe, expect, it } from 'vitest';
import { FrameLog } from '../../tasks/lib/status-protocol/frame-log.ts';
import { diagnoseGap } from '../../tasks/lib/status-protocol/gap-diagnosis.ts';
import { LATE_PONG_MS, pingsDuring } from '../../tasks/lib/status-protocol/keepalive-evidence.ts';

/** A session log with explicit times (ms since open): `ping@1000`, `pong@1500`, `loading@0`, `ready@2000`. */
function session(...events: string[]): FrameLog {
  const log = new FrameLog('t');
  log.record('local', 'open', 0, 'open', undefined, 0);
  for (const event of events) {
    const [what, at] = event.split('@') as [string, string];
    const atMs = Number(at);
    if (what === 'ping') log.record('out', 'ping', 0, 'keepalive ping', undefined, atMs);
    else if (what === 'pong') log.record('in', 'pong', 0, 'pong', undefined, atMs);
    else log.record('in', 'binary', 40, what, { status: what }, atMs);
  }
  return log;
}

const LIMITS = { keepaliveMs: 1000, messageTimeoutMs: 3000, pingIntervalMs: 1000, pingTimeoutMs: 1500 };

describe('keepalive evidence during a silence', () => {
  it('classifies pongs: on time, late (answered when the block ended), missing, none sent', () => {
    expect(pingsDuring(session('loading@0', 'ping@1000', 'pong@1003', 'ready@2000'), 0, 2000)).toMatchObject({ verdict: 'on-time', worstDelayMs: 3 });
    expect(pingsDuring(session('loading@0', 'ping@1000', 'ready@2000', 'pong@2001'), 0, 2000)).toMatchObject({ verdict: 'late', worstDelayMs: 1001, pings: [{ sentMs: 1000, pongMs: 2001, delayMs: 1001 }] });
    expect(pingsDuring(session('loading@0', 'ping@1000'), 0, 2500)).toMatchObject({ verdict: 'missing', worstDelayMs: 1500 });
    expect(pingsDuring(session('loading@0', 'ready@900'), 0, 900)).toMatchObject({ verdict: 'none-sent', pings: [] });
    expect(pingsDuring(session('ping@1000', `pong@${1000 + LATE_PONG_MS - 1}`), 0, 2000).verdict).toBe('on-time');
  });

  it('a gap is blamed on a blocked loop only when a pong came late; periodic frames with a gap and answered pings are the % 5 bug', () => {
    const blocked = session('loading@10', 'ping@1000', 'ready@2000', 'pong@2001');
    const blockedGap = blocked.largestGap();
    expect(blockedGap && diagnoseGap(blocked, blockedGap, [{ status: 'loading' }], LIMITS)).toMatchObject({ diagnosis: 'event-loop-blocked', frames: 'No periodic status frames: one loading frame, then nothing until ready' });

    const periodic = session('loading@10', 'loading@300', 'ping@1000', 'pong@1002', 'loading@1600', 'ready@1700');
    const periodicGap = periodic.largestGap();
    const found = periodicGap && diagnoseGap(periodic, periodicGap, [{ status: 'loading' }, { status: 'loading' }, { status: 'loading' }], LIMITS);
    expect(found).toMatchObject({ diagnosis: 'gap-above-keepalive' });
    expect(found?.breaks).toContain('not a client for its ping keepalive (its pings were answered at once)');

    const silent = session('loading@10', 'ping@1000', 'pong@1001', 'ready@1500');
    const silentGap = silent.largestGap();
    expect(silentGap && diagnoseGap(silent, silentGap, [{ status: 'loading' }], LIMITS).diagnosis).toBe('updates-stopped');

    const unknown = session('loading@10', 'ready@1500');
    const unknownGap = unknown.largestGap();
    expect(unknownGap && diagnoseGap(unknown, unknownGap, [{ status: 'loading' }], { ...LIMITS, pingIntervalMs: 20_000 }).diagnosis).toBe('silent');
  });
});

describe('keepalive evidence: a ping still in flight', () => {
  it('is no evidence until it has waited LATE_PONG_MS', () => {
    const log = session('loading@0', 'ping@500', 'pong@502', 'ping@1000');
    expect(pingsDuring(log, 0, 1000 + LATE_PONG_MS - 50).verdict).toBe('on-time');
    expect(pingsDuring(log, 0, 1000 + LATE_PONG_MS).verdict).toBe('missing');
  });
});
