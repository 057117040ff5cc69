/**
 * Tail comparison: the worse-side quantile of each sample (p95 when lower is better, p5 when
 * higher is better; linear interpolation, as numpy's default) and an exceedance test that says
 * whether the canary's tail regression is more than chance.
 *
 * Sample quantiles far out in the tail rest on one or two values at the sample sizes a canary run
 * takes (at n = 20 the p95 is nearly the maximum), so a tail ratio alone fails healthy A/A runs
 * often. The exceedance test counts W, the canary values beyond the baseline's r-th worst value
 * (r = ⌈n_b·(1 − q)⌉, at least 1). Under the null (both samples from one distribution) the pooled
 * sample is exchangeable and W ≥ w exactly when at most r − 1 baseline values are among the
 * w + r − 1 worst pooled values: P(W ≥ w) = HypergeomCDF(r − 1; n_b + n_c, n_b, w + r − 1).
 * Distribution-free and exact; ties at the threshold count as not beyond (conservative).
 */
import { percentile } from '../../stats/percentiles.ts';

export interface TailComparison {
  /** The quantile compared: q for lower-is-better, 1 − q for higher-is-better. */
  quantile: number;
  baseline: number;
  canary: number;
  /** canary / baseline, null when the baseline quantile is ≤ 0. */
  ratio: number | null;
  /** How much worse the canary tail is as a factor ≥ 0 (1 = same; > 1 worse), null when not defined. */
  worseFactor: number | null;
  /** Canary values beyond the baseline's r-th worst value. */
  exceedances: number;
  r: number;
  /** One-sided exceedance p-value. */
  p: number;
  /** The smallest p these sample sizes can give (every canary value beyond). */
  smallestP: number;
}

const logFactorials: number[] = [0];

function logFactorial(n: number): number {
  for (let k = logFactorials.length; k <= n; k++) logFactorials.push((logFactorials[k - 1] as number) + Math.log(k));
  return logFactorials[n] as number;
}

function logChoose(n: number, k: number): number {
  return logFactorial(n) - logFactorial(k) - logFactorial(n - k);
}

/** P(X ≤ x) for X hypergeometric: `draws` drawn from `population` holding `successes`. */
export function hypergeometricCdf(x: number, population: number, successes: number, draws: number): number {
  let sum = 0;
  const low = Math.max(0, draws - (population - successes));
  for (let i = low; i <= Math.min(x, successes, draws); i++) {
    sum += Math.exp(logChoose(successes, i) + logChoose(population - successes, draws - i) - logChoose(population, draws));
  }
  return Math.min(1, sum);
}

/** P(W ≥ w) for the exceedance count W of nCanary values beyond the r-th worst of nBaseline. */
export function exceedanceP(w: number, r: number, nBaseline: number, nCanary: number): number {
  if (w <= 0) return 1;
  if (w > nCanary) return 0;
  return hypergeometricCdf(r - 1, nBaseline + nCanary, nBaseline, w + r - 1);
}

/** Compares the worse-side tails; both samples non-empty and finite. */
export function compareTails(baseline: readonly number[], canary: readonly number[], better: 'lower' | 'higher', tailQuantile: number): TailComparison {
  const quantile = better === 'lower' ? tailQuantile : 1 - tailQuantile;
  const baselineTail = percentile(baseline, quantile * 100);
  const canaryTail = percentile(canary, quantile * 100);
  const ratio = baselineTail > 0 ? canaryTail / baselineTail : null;
  const worseFactor = ratio === null ? null : better === 'lower' ? ratio : canaryTail > 0 ? baselineTail / canaryTail : Number.POSITIVE_INFINITY;
  // Worse = larger after orienting; the r-th worst baseline value is the threshold.
  const sign = better === 'lower' ? 1 : -1;
  const worstFirst = baseline.map((value) => sign * value).sort((a, b) => b - a);
  const r = Math.max(1, Math.ceil(baseline.length * (1 - tailQuantile) - 1e-9));
  const threshold = worstFirst[Math.min(r, worstFirst.length) - 1] as number;
  const exceedances = canary.filter((value) => sign * value > threshold).length;
  return {
    quantile,
    baseline: baselineTail,
    canary: canaryTail,
    ratio,
    worseFactor,
    exceedances,
    r,
    p: exceedanceP(exceedances, r, baseline.length, canary.length),
    smallestP: exceedanceP(canary.length, r, baseline.length, canary.length),
  };
}
