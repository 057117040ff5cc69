/**
 * Process replicates: when a metric's samples come from several processes per side (rounds of a
 * fresh baseline and a fresh canary), samples from one process are not independent, and a pooled
 * rank test reads a difference between two processes (CPU placement, a neighbour's load) as a
 * difference between versions. The process pair is then the unit of evidence: a regression is a
 * regression only when a one-sided sign test over the pairs (round i's baseline vs round i's
 * canary, per-replicate statistic, in the metric's bad direction) is significant at α — with 5
 * pairs, all 5 worse (p = 1/32); 3 pairs cannot show it (all 3 worse happens by chance 1 time in
 * 8). Otherwise the metric is at most inconclusive (a hold). Pure: no I/O.
 */
import { percentile } from '../../stats/percentiles.ts';
import { formatP } from './judge-format.ts';
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

/** One-sided sign test: the chance of `worse` or more of `compared` pairs worse when either side is as likely worse. */
export function signTestP(worse: number, compared: number): number {
  let p = 0;
  let choose = 1; // C(compared, k), built up from k = 0
  for (let k = 0; k <= compared; k += 1) {
    if (k > 0) choose = (choose * (compared - k + 1)) / k;
    if (k >= worse) p += choose;
  }
  return p / 2 ** compared;
}

/** The fewest process pairs whose all being worse is significant at `alpha` (5 at α = 0.05). */
export function pairsNeeded(alpha: number): number {
  let k = 1;
  while (0.5 ** k >= alpha) k += 1;
  return k;
}

/** Whether the canary is worse consistently enough across process pairs to be a version's doing (sign test p < α). */
export function consistentlyWorse(comparison: ReplicateComparison, alpha: number): boolean {
  return comparison.compared >= 2 && signTestP(comparison.worse, comparison.compared) < alpha;
}

/** Why a pooled regression is not consistent across process pairs, or undefined when it is (sign test over the pairs p < α). */
export function inconsistencyReason(comparison: ReplicateComparison, alpha: number, unit: 'process' | 'block' = 'process'): string | undefined {
  const { compared, worse } = comparison;
  if (unit === 'block' && !consistentlyWorse(comparison, alpha)) {
    const p = signTestP(worse, compared);
    return `worse in ${worse} of ${compared} sampling blocks (sign test p = ${formatP(p)}, not below ${alpha}): the shift comes from some blocks only — a busy moment for one process, not a difference between versions${compared < pairsNeeded(alpha) ? `; ${compared} blocks cannot show it even when all are worse, ${pairsNeeded(alpha)} can` : ''}`;
  }
  if (consistentlyWorse(comparison, alpha)) return undefined;
  if (compared < 2) return `only ${compared} process pair${compared === 1 ? '' : 's'} with data on both sides: a shift between single processes may be a difference between processes, not versions`;
  const p = signTestP(worse, compared);
  const needed = pairsNeeded(alpha);
  const tooFew = compared < needed ? `; ${compared} pairs cannot show it even when all are worse, ${needed} can` : '';
  return `worse in ${worse} of ${compared} process pairs (sign test p = ${formatP(p)}, not below ${alpha}): the shift may be a difference between processes, not versions${tooFew}`;
}
