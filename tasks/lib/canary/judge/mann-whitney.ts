/**
 * Mann–Whitney U test, two-sided, the way SciPy's `mannwhitneyu(baseline, canary, ...)` computes it:
 * midranks for ties; the exact null distribution of U when there are no ties and the samples are
 * small (n₁·n₂ ≤ EXACT_MAX_PRODUCT), else the normal approximation with tie correction and
 * continuity correction (`method='asymptotic', use_continuity=True`).
 *
 * U here is the canary's statistic: pairs (baseline, canary) with canary > baseline, ties ½. U above
 * n₁n₂/2 means the canary tends to larger values.
 */
import { usageError } from '../../errors/harness-error.ts';
import { normalQuantile, normalSf } from './normal-distribution.ts';

export type MannWhitneyMethod = 'exact' | 'asymptotic';

/** Largest n₁·n₂ for which 'auto' uses the exact distribution (50 × 50; the table costs ~(n₁n₂)²/4 additions). */
export const EXACT_MAX_PRODUCT = 2500;

export interface MannWhitneyResult {
  /** U of the canary sample. */
  u: number;
  /** U of the baseline sample (n₁n₂ − u), what SciPy returns as the statistic for `mannwhitneyu(canary, baseline)`'s mirror. */
  uBaseline: number;
  /** Two-sided p-value. */
  p: number;
  method: MannWhitneyMethod;
  /** Whether the pooled sample has tied values. */
  ties: boolean;
  /** Standard deviation of U under the null (tie-corrected); 0 when every value is equal. */
  sigma: number;
}

interface Ranking {
  /** Sum of the midranks of the canary values (1-based ranks in the pooled sample). */
  canaryRankSum: number;
  /** Σ (t³ − t) over groups of tied values. */
  tieTerm: number;
}

function rank(baseline: readonly number[], canary: readonly number[]): Ranking {
  const pooled = [...baseline.map((value) => ({ value, canary: false })), ...canary.map((value) => ({ value, canary: true }))];
  pooled.sort((a, b) => a.value - b.value);
  let canaryRankSum = 0;
  let tieTerm = 0;
  for (let start = 0; start < pooled.length; ) {
    let end = start + 1;
    while (end < pooled.length && (pooled[end] as { value: number }).value === (pooled[start] as { value: number }).value) end++;
    const size = end - start;
    const midrank = (start + 1 + end) / 2;
    for (let i = start; i < end; i++) if ((pooled[i] as { canary: boolean }).canary) canaryRankSum += midrank;
    tieTerm += size ** 3 - size;
    start = end;
  }
  return { canaryRankSum, tieTerm };
}

const exactTables = new Map<string, Float64Array>();

/**
 * Number of arrangements of n₁ + n₂ distinct values giving each U = 0..n₁n₂ (the null distribution
 * times C(n₁+n₂, n₁)), by the recurrence f(m, n, u) = f(m−1, n, u−n) + f(m, n−1, u): additions of
 * non-negative numbers only, so the small tail counts keep full relative precision.
 */
export function exactUCounts(n1: number, n2: number): Float64Array {
  const m = Math.min(n1, n2);
  const n = Math.max(n1, n2);
  const key = `${m}x${n}`;
  const cached = exactTables.get(key);
  if (cached) return cached;
  // previous[j] = counts for (i − 1, j); current[j] = counts for (i, j); sizes i·j + 1.
  let previous: Float64Array[] = Array.from({ length: n + 1 }, () => Float64Array.of(1));
  for (let i = 1; i <= m; i++) {
    const current: Float64Array[] = [Float64Array.of(1)];
    for (let j = 1; j <= n; j++) {
      const counts = new Float64Array(i * j + 1);
      const fromLeft = current[j - 1] as Float64Array; // (i, j − 1)
      counts.set(fromLeft);
      const fromAbove = previous[j] as Float64Array; // (i − 1, j), shifted by j
      for (let u = 0; u < fromAbove.length; u++) counts[u + j] = (counts[u + j] as number) + (fromAbove[u] as number);
      current.push(counts);
    }
    previous = current;
  }
  const table = previous[n] as Float64Array;
  if (exactTables.size > 32) exactTables.clear();
  exactTables.set(key, table);
  return table;
}

/** P(U ≤ k) under the null, exact (no ties). */
export function exactUCdf(k: number, n1: number, n2: number): number {
  const counts = exactUCounts(n1, n2);
  if (k < 0) return 0;
  let below = 0;
  let total = 0;
  for (let u = 0; u < counts.length; u++) {
    total += counts[u] as number;
    if (u <= k) below += counts[u] as number;
  }
  return Math.min(1, below / total);
}

/** Smallest two-sided p-value the exact test can give for these sample sizes: 2 / C(n₁+n₂, n₁). */
export function smallestExactP(n1: number, n2: number): number {
  return Math.min(1, 2 * exactUCdf(0, n1, n2));
}

export function chooseMethod(n1: number, n2: number, ties: boolean): MannWhitneyMethod {
  return !ties && n1 * n2 <= EXACT_MAX_PRODUCT ? 'exact' : 'asymptotic';
}

/** Null standard deviation of U with the tie correction. */
export function uSigma(n1: number, n2: number, tieTerm: number): number {
  const n = n1 + n2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  return Math.sqrt(Math.max(0, variance));
}

/** Two-sided Mann–Whitney U test of the canary against the baseline. Both samples non-empty. */
export function mannWhitneyU(baseline: readonly number[], canary: readonly number[], method: MannWhitneyMethod | 'auto' = 'auto'): MannWhitneyResult {
  const n1 = baseline.length;
  const n2 = canary.length;
  if (n1 === 0 || n2 === 0) throw usageError('Mann–Whitney U needs at least one value on each side');
  const { canaryRankSum, tieTerm } = rank(baseline, canary);
  const u = canaryRankSum - (n2 * (n2 + 1)) / 2;
  const uBaseline = n1 * n2 - u;
  const ties = tieTerm > 0;
  const sigma = uSigma(n1, n2, tieTerm);
  const chosen = method === 'auto' ? chooseMethod(n1, n2, ties) : method;
  if (chosen === 'exact' && ties) throw usageError('the exact Mann–Whitney distribution assumes no ties; use the asymptotic method');
  const larger = Math.max(u, uBaseline);
  let p: number;
  if (chosen === 'exact') {
    // P(U ≥ larger) = P(U ≤ n₁n₂ − larger) by symmetry.
    p = 2 * exactUCdf(n1 * n2 - larger, n1, n2);
  } else {
    const numerator = larger - (n1 * n2) / 2 - 0.5;
    p = sigma === 0 ? 1 : 2 * normalSf(numerator / sigma);
  }
  return { u, uBaseline, p: Math.min(1, Math.max(0, p)), method: chosen, ties, sigma };
}

/**
 * The rank k of the order statistics of the n₁n₂ pairwise differences that bound a two-sided
 * interval of the given confidence: the largest k with P(U ≤ k − 1) ≤ (1 − confidence)/2, so
 * [D₍ₖ₎, D₍ₙ₁ₙ₂₊₁₋ₖ₎] covers the shift with probability 1 − 2·P(U ≤ k − 1) ≥ confidence.
 * Exact: from the exact distribution. Asymptotic: k = ⌊n₁n₂/2 + ½ − z₍₁₋α/2₎·σ⌋ (σ tie-corrected,
 * the same continuity correction as the test). Never below 1: when even k = 1 falls short, the
 * interval is the full range of differences and `coverage` says how much it really covers.
 */
export function criticalRank(n1: number, n2: number, confidence: number, method: MannWhitneyMethod, sigma: number): { k: number; coverage: number } {
  const half = (1 - confidence) / 2;
  if (method === 'exact') {
    const counts = exactUCounts(n1, n2);
    let total = 0;
    for (const count of counts) total += count;
    let cumulative = 0; // P(U ≤ k − 1) as k grows
    let k = 0;
    while (k < counts.length) {
      const next = cumulative + (counts[k] as number) / total;
      if (next > half) break;
      cumulative = next;
      k++;
    }
    if (k === 0) return { k: 1, coverage: Math.max(0, 1 - 2 * ((counts[0] as number) / total)) };
    return { k, coverage: 1 - 2 * cumulative };
  }
  const z = normalQuantile(1 - half);
  const k = Math.floor((n1 * n2) / 2 + 0.5 - z * sigma);
  const maxK = Math.floor((n1 * n2 + 1) / 2);
  if (k < 1) return { k: 1, coverage: sigma === 0 ? 0 : Math.max(0, 1 - 2 * normalSf(((n1 * n2) / 2 - 0.5) / sigma)) };
  return { k: Math.min(k, maxK), coverage: confidence };
}
