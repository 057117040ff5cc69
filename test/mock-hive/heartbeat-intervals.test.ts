import { describe, expect, it } from 'vitest';
import { INTERVALS_TO_FAIL, intervalProblem, judgeIntervals, judgeIntervalsPatiently } from '../../mock-hive/heartbeat-judges.ts';
import { HeartbeatLog } from '../../mock-hive/heartbeat-log.ts';

// 500 ms expected, ± 250 ms allowed (worker:test's tolerance for short test intervals).
describe('the heartbeat interval judgement', () => {
  it('passes heartbeats on the interval, and one short interval after a heartbeat that arrived late', () => {
    expect(intervalProblem([500, 510, 490], 500, 250)).toBeUndefined();
    // Seen on a busy machine: the first Ready heartbeat arrived late, the next on time.
    expect(intervalProblem([183, 402, 502], 500, 250)).toBeUndefined();
    // Seen in CI: one heartbeat arrived 231 ms late and the next on time (at 300 ms ± 150 ms).
    expect(intervalProblem([531, 63, 296], 300, 150)).toBeUndefined();
  });

  it('fails a worker on another interval, one that beats too often, and a heartbeat missed or late', () => {
    expect(intervalProblem([1000, 1010, 990], 500, 250)).toMatch(/^the median, 1\.00 s, is not the interval$/);
    expect(intervalProblem([100, 110, 90, 100], 500, 250)).toMatch(/^the median, 100 ms, is not the interval$/);
    expect(intervalProblem([500, 1000, 500], 500, 250)).toBe('a heartbeat came 1.00 s after the one before');
    expect(intervalProblem([500, 800, 760, 500], 500, 250)).toBe('2 heartbeats came 800 ms, 760 ms after the one before');
    // A missed beat is not made up for by the next interval, so it still fails.
    expect(intervalProblem([300, 600, 300, 300], 300, 150)).toBe('a heartbeat came 600 ms after the one before');
  });
});

describe('the heartbeat interval check with too few intervals to judge (worker:test)', () => {
  // A worker beating every `everyMs` from now on, `count` more times (the log sees arrivals).
  const beat = (log: HeartbeatLog, everyMs: number, count: number): Promise<void> =>
    new Promise((resolve) => {
      let sent = 0;
      const timer = setInterval(() => {
        log.record('seed', '/heartbeat/workers', 'w', 'Ready', {});
        if ((sent += 1) === count) {
          clearInterval(timer);
          resolve();
        }
      }, everyMs);
    });

  it('waits for more heartbeats after a single short interval, and passes a worker on the interval (seen in CI: 97 ms after a late first Ready)', async () => {
    const log = new HeartbeatLog();
    log.record('seed', '/heartbeat/workers', 'w', 'Ready', {});
    await beat(log, 60, 1); // late first, next on time: one short interval
    expect(() => judgeIntervals(log, 'w', 'Ready', 300, 0.5)).toThrow(/the median, \d+ ms, is not the interval/);
    const more = beat(log, 300, 2);
    const detail = await judgeIntervalsPatiently(log, 'w', 'Ready', 300, 0.5);
    await more;
    expect(detail).toMatch(/^intervals \d+ ms, \d+ ms, \d+ ms \(expected 300 ms ± 150 ms\)$/);
    expect(log.heartbeats('w')).toHaveLength(INTERVALS_TO_FAIL + 1);
  });

  it('still fails a worker that beats too often, and one that stops beating, once it has waited', async () => {
    const often = new HeartbeatLog();
    often.record('seed', '/heartbeat/workers', 'w', 'Ready', {});
    await beat(often, 60, 1);
    const rest = beat(often, 60, 2);
    await expect(judgeIntervalsPatiently(often, 'w', 'Ready', 300, 0.5)).rejects.toThrow(/the median, \d+ ms, is not the interval/);
    await rest;
    const stopped = new HeartbeatLog();
    stopped.record('seed', '/heartbeat/workers', 'w', 'Ready', {});
    await beat(stopped, 60, 1);
    const started = performance.now();
    await expect(judgeIntervalsPatiently(stopped, 'w', 'Ready', 300, 0.5)).rejects.toThrow(/the median, \d+ ms, is not the interval/);
    expect(performance.now() - started).toBeGreaterThanOrEqual(1300); // it waited (3 × 450 ms) before failing
  });
});
