/**
 * One metric's verdict from its baseline and canary samples (validated, finite).
 *
 * - no-data: either side has no samples.
 * - fail: the canary is significantly worse (two-sided Mann–Whitney p < α, in the worse direction)
 *   AND its median is worse than the baseline's by more than the effect floor; or its tail is
 *   worse by more than tailMaxRatio AND the exceedance test confirms it (one-sided p < α/2, the
 *   worse side of a two-sided α). A fail is `decisive` when the whole Hodges–Lehmann interval lies
 *   beyond the floor (even the most favourable plausible shift is a real regression), or when it is
 *   a confirmed tail failure.
 * - inconclusive: worse beyond the floor but not significant (too little data or power), or a tail
 *   beyond tailMaxRatio that these sample sizes cannot possibly confirm.
 * - pass: otherwise — no difference, a better canary, or a significant shift smaller than the floor
 *   (noise) or than the metric's absolute `minEffect` (the median and the tail must each move by
 *   more than it to count). A tail beyond the ratio that the exceedance test could have confirmed
 *   but did not is a pass with a note: at n = 20 the p95 is nearly the maximum, and A/A runs show
 *   such ratios often.
 * - replicates (samples tagged with the process they came from, ≥ 2 on a side): the process pair
 *   is the unit of evidence. A fail stands only when a one-sided sign test over the process pairs
 *   (per-replicate medians; tail quantiles for a tail-only fail) is significant at α — with 5 pairs,
 *   all 5 worse; otherwise it becomes inconclusive (at most a hold), reason "worse in j of k process
 *   pairs …". The pooled figures are kept as they are.
 */
import { percentile } from '../../stats/percentiles.ts';
import { formatP, formatRatio, pPhrase, withUnit } from './judge-format.ts';
import type { ResolvedJudgeOptions } from './judge-input.ts';
import type { MetricInput, MetricVerdict } from './judge-types.ts';
import { hodgesLehmann } from './hodges-lehmann.ts';
import { mannWhitneyU, smallestExactP } from './mann-whitney.ts';
import { compareReplicates, inconsistencyReason, signTestP } from './replicate-consistency.ts';
import { compareTails, type TailComparison } from './tail-exceedance.ts';

/** How much worse `canary` is than `baseline` as a factor (> 1 worse), null when a ratio is not defined. */
function worseFactor(baseline: number, canary: number, better: 'lower' | 'higher'): number | null {
  if (baseline <= 0) return null;
  if (better === 'lower') return canary / baseline;
  return canary > 0 ? baseline / canary : Number.POSITIVE_INFINITY;
}

function noData(metric: MetricInput, critical: boolean): MetricVerdict {
  const nb = metric.baseline.length;
  const nc = metric.canary.length;
  const reason =
    nb === 0 && nc === 0 ? 'no samples on either side' : nc === 0 ? `no canary samples (baseline has ${nb})` : `no baseline samples (canary has ${nc}): nothing to compare with`;
  return {
    name: metric.name,
    unit: metric.unit,
    better: metric.better,
    critical,
    n: { baseline: nb, canary: nc },
    median: { baseline: nb ? percentile(metric.baseline, 50) : null, canary: nc ? percentile(metric.canary, 50) : null },
    ratio: null,
    shift: null,
    p: null,
    tail: null,
    verdict: 'no-data',
    reason,
    u: null,
    method: null,
    decisive: false,
    ...(metric.lost && metric.lost.baseline + metric.lost.canary > 0 ? { lost: metric.lost } : {}),
  };
}

function tailNote(tail: TailComparison): string {
  const label = `p${Math.round(tail.quantile * 100)}`;
  return `${label} ${formatRatio(tail.worseFactor)} worse (${tail.exceedances} canary value${tail.exceedances === 1 ? '' : 's'} beyond the baseline's, ${pPhrase(tail.p)})`;
}

export function judgeMetric(metric: MetricInput, options: ResolvedJudgeOptions): MetricVerdict {
  const critical = metric.critical === true;
  const { baseline, canary, better, unit } = metric;
  const nb = baseline.length;
  const nc = canary.length;
  if (nb === 0 || nc === 0) return noData(metric, critical);

  const medianBaseline = percentile(baseline, 50);
  const medianCanary = percentile(canary, 50);
  const test = mannWhitneyU(baseline, canary);
  const shift = hodgesLehmann(baseline, canary, options.confidence, test.method, test.sigma);
  const tail = compareTails(baseline, canary, better, options.tailQuantile);

  const factor = worseFactor(medianBaseline, medianCanary, better);
  const centre = (nb * nc) / 2;
  const canaryWorse = better === 'lower' ? test.u > centre : test.u < centre;
  const significant = test.p < options.alpha;
  // Without a ratio (baseline median ≤ 0) no floor applies: any worse shift counts.
  const minEffect = metric.minEffect ?? 0;
  const medianShift = Math.abs(medianCanary - medianBaseline);
  const underMinEffect = canaryWorse && medianShift <= minEffect && minEffect > 0;
  const beyondFloor = canaryWorse && (factor === null ? true : factor > options.effectFloor) && !underMinEffect;
  const tailBeyond = tail.worseFactor !== null && tail.worseFactor > options.tailMaxRatio && Math.abs(tail.canary - tail.baseline) > minEffect;
  const tailAlpha = options.alpha / 2;
  const tailConfirmed = tailBeyond && tail.p < tailAlpha;
  const tailUnconfirmable = tailBeyond && tail.smallestP >= tailAlpha;

  const medianFail = significant && beyondFloor;
  // Favourable end of the shift interval, as a factor: lower-is-better → low end; higher → high end.
  const favourable = better === 'lower' ? medianBaseline + shift.low : medianBaseline + shift.high;
  const favourableFactor = worseFactor(medianBaseline, favourable, better);
  const intervalBeyondFloor = (favourableFactor === null ? (better === 'lower' ? shift.low > 0 : shift.high < 0) : favourableFactor > options.effectFloor) && Math.abs(favourable - medianBaseline) > minEffect;

  const pText = pPhrase(test.p);
  const medians = `median ${withUnit(medianCanary, unit)} vs ${withUnit(medianBaseline, unit)}`;
  const factorText = factor === null ? 'worse' : `${formatRatio(factor)} worse`;
  let verdict: MetricVerdict['verdict'];
  let reason: string;
  let decisive = false;
  if (medianFail || tailConfirmed) {
    verdict = 'fail';
    decisive = tailConfirmed || intervalBeyondFloor;
    const parts: string[] = [];
    if (medianFail) {
      parts.push(
        `${factorText} (${medians}, ${pText}); ` +
          (intervalBeyondFloor
            ? `the whole ${Math.round(shift.confidence * 100)}% interval is beyond the ${formatRatio(options.effectFloor)} floor`
            : `the interval reaches below the ${formatRatio(options.effectFloor)} floor`) +
          (minEffect > 0 ? ` and the ${withUnit(minEffect, unit)} absolute floor` : ''),
      );
    }
    if (tailConfirmed) parts.push(`tail ${tailNote(tail)}, over the ${formatRatio(options.tailMaxRatio)} limit`);
    reason = parts.join('; ');
  } else if (beyondFloor || tailUnconfirmable) {
    verdict = 'inconclusive';
    const parts: string[] = [];
    if (beyondFloor) {
      const smallest = test.method === 'exact' ? smallestExactP(nb, nc) : 0;
      parts.push(
        smallest >= options.alpha
          ? `${factorText} (${medians}) but n=${nb}/${nc} cannot reach p < ${options.alpha} (smallest possible p = ${formatP(smallest)}); use n ≥ 20 per side`
          : `${factorText} (${medians}) but not significant (${pText}, n=${nb}/${nc}): more samples needed`,
      );
    }
    if (tailUnconfirmable) parts.push(`tail ${tailNote(tail)} but n=${nb}/${nc} cannot confirm a tail regression`);
    reason = parts.join('; ');
  } else {
    verdict = 'pass';
    if (underMinEffect) reason = `${factorText} (${medians}${significant ? `, ${pText}` : ''}) but by ${withUnit(medianShift, unit)}, within the ${withUnit(minEffect, unit)} absolute floor (the floor that decided: ${formatRatio(options.effectFloor)} alone would not call it noise): noise`;
    else if (significant && canaryWorse) reason = `significantly worse (${pText}) but ${formatRatio(factor)} is within the ${formatRatio(options.effectFloor)} floor: noise`;
    else if (significant) reason = `significantly better (${medians}, ${pText})`;
    else reason = `no significant difference (${medians}, ${pText})`;
    if (tailBeyond) reason += `; tail ${tailNote(tail)} is within chance`;
  }

  const replicates = compareReplicates(metric, verdict === 'fail' && !medianFail ? tail.quantile : 0.5);
  if (verdict === 'pass' && significant && replicates && replicates.compared >= 2) {
    // The sign test over process pairs covers a "significant" difference in either direction: a
    // pooled p between two sets of processes is not a difference between versions unless the pairs agree.
    const agreeing = canaryWorse ? replicates.worse : replicates.compared - replicates.worse;
    const pairsP = signTestP(agreeing, replicates.compared);
    if (pairsP >= options.alpha) reason = `no consistent difference: pooled ${pText} (${medians}), but ${canaryWorse ? 'worse' : 'better'} in ${agreeing} of ${replicates.compared} ${metric.replicateUnit === 'block' ? 'sampling blocks' : 'process pairs'} (sign test p = ${formatP(pairsP)}, not below ${options.alpha}): ${metric.replicateUnit === 'block' ? 'a busy moment for one process' : 'a difference between processes'}, not versions`;
  }
  const inconsistent = verdict === 'fail' && replicates ? inconsistencyReason(replicates, options.alpha, metric.replicateUnit ?? 'process') : undefined;
  if (inconsistent) {
    verdict = 'inconclusive';
    decisive = false;
    reason = `${inconsistent} (pooled: ${reason})`;
  }

  return {
    name: metric.name,
    unit,
    better,
    critical,
    n: { baseline: nb, canary: nc },
    median: { baseline: medianBaseline, canary: medianCanary },
    ratio: medianBaseline > 0 ? medianCanary / medianBaseline : null,
    shift: { estimate: shift.estimate, low: shift.low, high: shift.high, confidence: shift.confidence },
    p: test.p,
    tail: { quantile: tail.quantile, baseline: tail.baseline, canary: tail.canary, ratio: tail.ratio, p: tail.p },
    verdict,
    reason,
    u: test.u,
    method: test.method,
    decisive,
    ...(replicates ? { replicates: { ...replicates, ...(metric.replicateUnit === 'block' ? { unit: 'block' as const } : {}) } } : {}),
    ...(metric.lost && metric.lost.baseline + metric.lost.canary > 0 ? { lost: metric.lost } : {}),
  };
}
