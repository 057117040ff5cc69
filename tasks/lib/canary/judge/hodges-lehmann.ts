/**
 * Hodges–Lehmann estimate of the shift canary − baseline: the median of all n₁n₂ pairwise
 * differences (canaryⱼ − baselineᵢ), with its distribution-free confidence interval — the order
 * statistics of those differences at the Mann–Whitney critical rank (see `criticalRank`).
 * O(n₁n₂ log n₁n₂): fine for the few hundred samples per side a canary run takes.
 */
import { usageError } from '../../errors/harness-error.ts';
import { criticalRank, type MannWhitneyMethod } from './mann-whitney.ts';

export interface ShiftEstimate {
  estimate: number;
  low: number;
  high: number;
  /** Coverage of [low, high]: exact coverage (≥ requested) for the exact method, the requested level otherwise. */
  confidence: number;
  /** Rank of `low` among the sorted differences (1-based); `high` is rank n₁n₂ + 1 − k. */
  k: number;
}

export function pairwiseDifferences(baseline: readonly number[], canary: readonly number[]): Float64Array {
  const differences = new Float64Array(baseline.length * canary.length);
  let index = 0;
  for (const c of canary) for (const b of baseline) differences[index++] = c - b;
  return differences.sort();
}

/** Median of sorted values (the mean of the two middle ones for an even count). */
function sortedMedian(sorted: Float64Array): number {
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/**
 * @param method how the critical rank is found: 'exact' (no ties, small n) or 'asymptotic'; use the
 *   method the Mann–Whitney test chose so the interval and the p-value agree.
 * @param sigma the test's tie-corrected null standard deviation of U (for 'asymptotic').
 */
export function hodgesLehmann(
  baseline: readonly number[],
  canary: readonly number[],
  confidence: number,
  method: MannWhitneyMethod,
  sigma: number,
): ShiftEstimate {
  if (baseline.length === 0 || canary.length === 0) throw usageError('the Hodges–Lehmann shift needs at least one value on each side');
  const differences = pairwiseDifferences(baseline, canary);
  const { k, coverage } = criticalRank(baseline.length, canary.length, confidence, method, sigma);
  return {
    estimate: sortedMedian(differences),
    low: differences[k - 1] as number,
    high: differences[differences.length - k] as number,
    confidence: coverage,
    k,
  };
}
