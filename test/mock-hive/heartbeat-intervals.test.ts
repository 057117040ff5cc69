import { describe, expect, it } from 'vitest';
import { intervalProblem } from '../../mock-hive/heartbeat-judges.ts';

// 500 ms expected, ± 250 ms allowed (worker:test's tolerance for short test intervals).
describe('the heartbeat interval judgement', () => {
  it('passes heartbeats on the interval, and one short interval after a heartbeat that arrived late', () => {
    expect(intervalProblem([500, 510, 490], 500, 250)).toBeUndefined();
    // Seen on a busy machine: the first Ready heartbeat arrived late, the next on time.
    expect(intervalProblem([183, 402, 502], 500, 250)).toBeUndefined();
  });

  it('fails a worker on another interval, one that beats too often, and a heartbeat missed or late', () => {
    expect(intervalProblem([1000, 1010, 990], 500, 250)).toMatch(/^the median, 1\.00 s, is not the interval$/);
    expect(intervalProblem([100, 110, 90, 100], 500, 250)).toMatch(/^the median, 100 ms, is not the interval$/);
    expect(intervalProblem([500, 1000, 500], 500, 250)).toBe('a heartbeat came 1.00 s after the one before');
    expect(intervalProblem([500, 800, 760, 500], 500, 250)).toBe('2 heartbeats came 800 ms, 760 ms after the one before');
  });
});
