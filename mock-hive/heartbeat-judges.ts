import { HarnessError, toHarnessError } from '../tasks/lib/errors/harness-error.ts';
import type { ExitWatch } from '../tasks/lib/wait-strategies/wait-for.ts';
import { formatDuration } from '../tasks/lib/time/format-duration.ts';
import type { HeartbeatLog } from './heartbeat-log.ts';

/**
 * Judgements over what the hive recorded for one worker: the states it went through and the
 * spacing of its periodic heartbeats. Each returns a detail line or throws a `HarnessError`
 * that quotes the heartbeats it saw.
 */

const seen = (log: HeartbeatLog, workerId: string): string[] => log.heartbeats(workerId).map((beat) => `#${beat.seq} ${beat.state} at +${Math.round(beat.monotonicMs - (log.heartbeats(workerId)[0]?.monotonicMs ?? 0))} ms`);

/**
 * The worker's states must move forward through `states` (e.g. Loading → Ready), never back,
 * and end in the last one. A worker that starts heartbeating only once ready passes too.
 */
export function judgeStateTransitions(log: HeartbeatLog, workerId: string, states: readonly string[]): string {
  const transitions = log.transitions(workerId);
  const evidence = { workerId, transitions, heartbeats: seen(log, workerId) };
  const unknown = transitions.filter((state) => !states.includes(state));
  if (unknown.length) throw new HarnessError('HEARTBEAT_STATES', `worker ${workerId} reported state(s) ${unknown.join(', ')} outside the expected ${states.join(' → ')}`, { evidence });
  const order = transitions.map((state) => states.indexOf(state));
  if (order.some((index, i) => i > 0 && index < (order[i - 1] as number))) {
    throw new HarnessError('HEARTBEAT_STATES', `worker ${workerId} went backwards: ${transitions.join(' → ')} (expected ${states.join(' → ')})`, { evidence });
  }
  const last = states[states.length - 1];
  if (transitions.at(-1) !== last) throw new HarnessError('HEARTBEAT_STATES', `worker ${workerId} never reported ${last}: ${transitions.join(' → ') || 'no heartbeats'}`, { evidence });
  return transitions.join(' → ');
}

/**
 * Periodic heartbeats in `state` must come every `expectedMs`: the median interval within
 * ± max(tolerance × expected, floorMs), and no interval longer than that allows (a heartbeat
 * missed or sent late). A single short interval is not held against the worker: it follows a
 * heartbeat that arrived late (a busy machine, an event loop busy with inference), and the hive
 * sees arrivals, not sends. A worker that beats too often moves the median and fails.
 * Needs at least two heartbeats in that state.
 */
export function judgeIntervals(log: HeartbeatLog, workerId: string, state: string, expectedMs: number, tolerance: number, floorMs = 150): string {
  const beats = log.heartbeats(workerId).filter((beat) => beat.state === state);
  const intervals = beats.slice(1).map((beat, i) => beat.monotonicMs - (beats[i]?.monotonicMs ?? 0));
  const allowed = Math.max(expectedMs * tolerance, floorMs);
  const evidence = { workerId, expectedMs, allowedDeviationMs: allowed, intervalsMs: intervals.map(Math.round), heartbeats: seen(log, workerId) };
  if (intervals.length === 0) throw new HarnessError('HEARTBEAT_INTERVAL', `need two ${state} heartbeats from ${workerId} to measure the interval, got ${beats.length}`, { evidence });
  const problem = intervalProblem(intervals, expectedMs, allowed);
  const shown = intervals.map((interval) => formatDuration(interval)).join(', ');
  if (problem) {
    throw new HarnessError('HEARTBEAT_INTERVAL', `heartbeat intervals ${shown}: ${problem} (expected ${formatDuration(expectedMs)} ± ${formatDuration(allowed)})`, {
      evidence,
      hint: 'pass the interval your worker uses with --heartbeat-interval',
    });
  }
  return `intervals ${shown} (expected ${formatDuration(expectedMs)} ± ${formatDuration(allowed)})`;
}

/** Intervals the judgement wants before it fails a worker: one late heartbeat (and the short interval after it) is then outvoted. */
export const INTERVALS_TO_FAIL = 3;

/**
 * `judgeIntervals`, but a failure from fewer than `INTERVALS_TO_FAIL` intervals is not final: with
 * two heartbeats, one that arrived late and the next on time make a single short interval, which
 * cannot be told from a worker on another interval. It then waits (bounded; failing fast when the
 * worker exits) for that many intervals and judges again. A worker on the interval costs no wait.
 */
export async function judgeIntervalsPatiently(log: HeartbeatLog, workerId: string, state: string, expectedMs: number, tolerance: number, failFastOn: readonly ExitWatch[] = []): Promise<string> {
  const judge = (): string => judgeIntervals(log, workerId, state, expectedMs, tolerance);
  try {
    return judge();
  } catch (error) {
    const have = log.heartbeats(workerId).filter((beat) => beat.state === state).length;
    if (toHarnessError(error).code !== 'HEARTBEAT_INTERVAL' || have > INTERVALS_TO_FAIL) throw error;
    const wanted = INTERVALS_TO_FAIL + 1;
    await log
      .waitForHeartbeats(workerId, wanted, { timeoutMs: (wanted - have + 1) * expectedMs * (1 + tolerance), failFastOn, where: (beat) => beat.state === state, what: `${state} heartbeats` })
      .catch((waitError: unknown) => {
        if (toHarnessError(waitError).code !== 'WAIT_TIMEOUT') throw waitError; // the worker exited: that is the news
      });
    return judge(); // fewer came in that time: judged on what did (a missed heartbeat shows as a long interval)
  }
}

/** What is wrong with a worker's heartbeat intervals, or undefined (see judgeIntervals). */
export function intervalProblem(intervals: readonly number[], expectedMs: number, allowedMs: number): string | undefined {
  const sorted = [...intervals].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
  if (Math.abs(median - expectedMs) > allowedMs) return `the median, ${formatDuration(median)}, is not the interval`;
  // A heartbeat that arrived late and the next one on time make a long interval and a short one that
  // add up to two intervals: a late arrival (a busy machine, the hive's own event loop busy), not a
  // missed beat (seen: 531 ms then 63 ms at 300 ms). A missed or late-sent beat is not made up for.
  const late = intervals.filter((interval, i) => {
    const next = intervals[i + 1];
    return interval > expectedMs + allowedMs && !(next !== undefined && interval + next <= 2 * expectedMs + allowedMs);
  });
  if (late.length) return `${late.length === 1 ? 'a heartbeat came' : `${late.length} heartbeats came`} ${late.map((interval) => formatDuration(interval)).join(', ')} after the one before`;
  return undefined;
}

/** Heartbeats that named another worker id (a worker ignoring --worker-id). */
export function strangerIds(log: HeartbeatLog, expected: readonly string[]): string[] {
  return log.workerIds().filter((id) => !expected.includes(id));
}
