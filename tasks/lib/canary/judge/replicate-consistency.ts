/**
 * Process replicates: when a metric's samples come from several processes per side (rounds of a
 * fresh baseline and a fresh canary), samples from one process are not independent, and a pooled
 * rank test reads a difference between two processes (CPU placement, a neighbour's load) as a
 * difference between versions. The consistency rule: a regression is only a regression when the
 * canary is worse than the baseline in EVERY process pair (round i's baseline vs round i's canary,
 * per-replicate statistic, in the metric's bad direction); otherwise the metric is at most
 * inconclusive (a hold). Pure: no I/O.
 */
import { percentile } from '../../stats/percentiles.ts';
import type { MetricInput, ReplicatePair } from './judge-types.ts';

/** The samples of one side, grouped by replicate id (ascending). */
function byReplicate(samples: readonly number[], replicates: readonly number[]): Map<number, number[]> {
  const groups = new Map<number, number[]>();
  samples.forEach((value, index) => {
    const id = replicates[index] as number;
    const group = groups.get(id) ?? [];
    group.push(value);
    groups.set(id, group);
  });
  return new Map([...groups.entries()].sort(([a], [b]) => a - b));
}

export interface ReplicateComparison {
  /** One row per replicate id seen on either side; medians (and the compared statistic) per side. */
  pairs: ReplicatePair[];
  /** Pairs with data on both sides. */
  compared: number;
  /** Of those, pairs where the canary is worse. */
  worse: number;
}

/**
 * Per-replicate comparison of a metric, or undefined when the metric carries no replicates or
 * neither side has two or more (then the pooled judgement stands alone). `quantile` is the
 * statistic compared (0.5: the median; a tail quantile for a tail-only regression).
 */
export function compareReplicates(metric: MetricInput, quantile = 0.5): ReplicateComparison | undefined {
  if (!metric.replicates) return undefined;
  const baseline = byReplicate(metric.baseline, metric.replicates.baseline);
  const canary = byReplicate(metric.canary, metric.replicates.canary);
  if (baseline.size < 2 && canary.size < 2) return undefined;
  const ids = [...new Set([...baseline.keys(), ...canary.keys()])].sort((a, b) => a - b);
  const stat = (values: number[] | undefined, q: number): number | null => (values && values.length ? percentile(values, q * 100) : null);
  const pairs = ids.map((replicate): ReplicatePair => {
    const b = stat(baseline.get(replicate), quantile);
    const c = stat(canary.get(replicate), quantile);
    const worse = b === null || c === null ? null : metric.better === 'lower' ? c > b : c < b;
    return { replicate, median: { baseline: stat(baseline.get(replicate), 0.5), canary: stat(canary.get(replicate), 0.5) }, ...(quantile === 0.5 ? {} : { compared: { quantile, baseline: b, canary: c } }), canaryWorse: worse };
  });
  const comparedPairs = pairs.filter((pair) => pair.canaryWorse !== null);
  return { pairs, compared: comparedPairs.length, worse: comparedPairs.filter((pair) => pair.canaryWorse).length };
}

/** Why a pooled regression is not consistent across process pairs, or undefined when it is (every pair worse, at least two pairs). */
export function inconsistencyReason(comparison: ReplicateComparison): string | undefined {
  const { compared, worse } = comparison;
  if (compared >= 2 && worse === compared) return undefined;
  if (compared < 2) return `only ${compared} process pair${compared === 1 ? '' : 's'} with data on both sides: a shift between single processes may be a difference between processes, not versions`;
  return `worse in ${worse} of ${compared} process pairs: the shift may be a difference between processes, not versions`;
}
