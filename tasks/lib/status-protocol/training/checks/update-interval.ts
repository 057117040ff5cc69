import { HarnessError } from '../../../errors/harness-error.ts';
import { percentile } from '../../../stats/percentiles.ts';
import { formatDuration } from '../../../time/format-duration.ts';
import { updateGaps } from '../stream-stats.ts';
import { needsStreams, settleEnds, type TrainingCheck } from '../training-state.ts';

/** While the job runs, a message at least every `--max-interval` (seed: 1 s): largest and p95 gap. */
export const updateInterval: TrainingCheck = {
  name: 'update interval',
  skipReason: needsStreams,
  async run(state) {
    await settleEnds(state);
    const limit = state.target.timing.maxIntervalMs;
    const gaps = state.observers.flatMap(({ client }) => updateGaps(client.label, client.messages));
    if (gaps.length === 0) throw new HarnessError('TOO_FEW_MESSAGES', 'fewer than two messages per client: no update interval to measure');
    const largest = gaps.reduce((max, gap) => (gap.ms > max.ms ? gap : max));
    const p95 = percentile(gaps.map((gap) => gap.ms), 95);
    const over = gaps.filter((gap) => gap.ms > limit);
    const evidence = { largestGapMs: Math.round(largest.ms), p95GapMs: Math.round(p95), gaps: gaps.length, overLimit: over.length, limitMs: limit, largest };
    const figures = `largest gap ${formatDuration(largest.ms)} (${largest.client} #${largest.fromSeq} → #${largest.toSeq}), p95 ${formatDuration(p95)} over ${gaps.length} gaps`;
    if (largest.ms > limit) {
      throw new HarnessError('UPDATE_GAP_ABOVE_LIMIT', `${figures}: ${over.length} gap(s) above the limit of ${formatDuration(limit)} while the job ran`, { evidence, hint: 'send the latest state at least once a second while the job runs, even when the trainer wrote nothing new' });
    }
    return { detail: `${figures}, all ≤ ${formatDuration(limit)}`, evidence };
  },
};
