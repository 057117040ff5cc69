import { HarnessError } from '../../../errors/harness-error.ts';
import { percentile } from '../../../stats/percentiles.ts';
import { formatDuration } from '../../../time/format-duration.ts';
import { isFinal } from '../stream-message.ts';
import { updateGaps, type MessageGap } from '../stream-stats.ts';
import { needsRunningStream, settleEnds, type TrainingCheck } from '../training-state.ts';

/** An excess this small is what a timer and a busy event loop add on their own (a sleep wakes late by this much). */
export const SCHEDULING_JITTER_MS = 20;

/**
 * Gaps above the limit by at most this share of it, most of them, look like a fixed sleep after the
 * work (each gap is the sleep plus the work, and a busy machine adds to the work: beside two busy
 * loops a 1 s sleep-after-send loop's gaps ran up to 1.098 s, half of them above 1.05 s).
 */
const DRIFT_SHARE = 0.1;

/** `4.8 ms`, `12.0 ms`, `1.30 s`: enough digits that a small excess never prints as nothing. */
function excessWords(ms: number): string {
  return ms < 1000 ? `${ms.toFixed(1)} ms` : formatDuration(ms);
}

/** `1.0048 s`: a gap near the limit, with the digits that show how far above it. */
function gapWords(ms: number, limitMs: number): string {
  return Math.abs(ms - limitMs) < limitMs / 2 && ms >= 1000 ? `${(ms / 1000).toFixed(4)} s` : formatDuration(ms);
}

/**
 * What the gaps above the limit say: all within scheduling jitter of it, a drift (most gaps above
 * the limit sit just above it, and the typical gap is at the limit: a fixed sleep after each send),
 * or updates that do not come often enough.
 */
export function diagnoseGaps(over: readonly MessageGap[], steady: readonly MessageGap[], limitMs: number): { text: string; hint: string } {
  const limit = formatDuration(limitMs);
  const worst = Math.max(...over.map((gap) => gap.ms)) - limitMs;
  const justAbove = over.filter((gap) => gap.ms <= limitMs * (1 + DRIFT_SHARE));
  const median = percentile((steady.length > 0 ? steady : over).map((gap) => gap.ms), 50);
  const drifting = justAbove.length >= over.length / 2 && median >= limitMs * (1 - DRIFT_SHARE);
  const jitter = worst <= SCHEDULING_JITTER_MS ? `; the worst is within scheduling jitter (${SCHEDULING_JITTER_MS} ms) of the limit` : '';
  if (drifting) {
    return {
      text: `${jitter}. The gaps sit at the limit (median ${gapWords(median, limitMs)}; ${justAbove.length} of the ${over.length} above it by at most ${Math.round(DRIFT_SHARE * 100)} %): a drift, as from a loop that sends and then sleeps ${limit} after its work (each gap is the sleep plus the work)`,
      hint: `schedule each send by the clock (next = start + k × ${limit}) instead of sleeping ${limit} after the work, or sleep a little less than ${limit}, so the gaps stay at or under --max-interval ${limit}`,
    };
  }
  return { text: jitter, hint: `send the latest state at least every ${limit} (--max-interval) while the job runs, even when the trainer wrote nothing new` };
}

/** While the job runs, a message at least every `--max-interval` (seed: 1 s): largest and p95 gap. */
export const updateInterval: TrainingCheck = {
  name: 'update interval',
  skipReason: needsRunningStream,
  async run(state) {
    await settleEnds(state);
    const limit = state.target.timing.maxIntervalMs;
    const perClient = state.observers.map(({ client }) => ({ gaps: updateGaps(client.label, client.messages), endsFinal: client.messages.some(isFinal) }));
    const gaps = perClient.flatMap((entry) => entry.gaps);
    // The loop's own rhythm: without each client's first gap (it joined mid-period) and the gap into the final message (sent when the job ended).
    const steady = perClient.flatMap((entry) => entry.gaps.slice(1, entry.endsFinal ? -1 : undefined));
    if (gaps.length === 0) throw new HarnessError('TOO_FEW_MESSAGES', 'fewer than two messages per client: no update interval to measure');
    const largest = gaps.reduce((max, gap) => (gap.ms > max.ms ? gap : max));
    const p95 = percentile(gaps.map((gap) => gap.ms), 95);
    const over = gaps.filter((gap) => gap.ms > limit);
    const evidence = { largestGapMs: Math.round(largest.ms * 10) / 10, p95GapMs: Math.round(p95), gaps: gaps.length, overLimit: over.length, limitMs: limit, largest };
    const figures = `largest gap ${gapWords(largest.ms, limit)} (${largest.client} #${largest.fromSeq} → #${largest.toSeq}), p95 ${gapWords(p95, limit)} over ${gaps.length} gaps`;
    if (largest.ms > limit) {
      const said = diagnoseGaps(over, steady, limit);
      throw new HarnessError('UPDATE_GAP_ABOVE_LIMIT', `${figures}: ${over.length} gap(s) above the limit of ${formatDuration(limit)} while the job ran, the largest by ${excessWords(largest.ms - limit)}${said.text}`, { evidence: { ...evidence, excessMs: Math.round((largest.ms - limit) * 10) / 10 }, hint: said.hint });
    }
    return { detail: `${figures}, all ≤ ${formatDuration(limit)}`, evidence };
  },
};
