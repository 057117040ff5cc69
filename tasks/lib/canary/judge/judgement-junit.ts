/**
 * The judgement as report checks: one per gate and one per metric, in the shape of the run
 * report's CheckResult (less the timing, which the task owns), so `canary:check` lists on screen,
 * in report.json and in junit.xml the same items the judge decided on.
 *
 * pass → pass; a gate that does not pass on the canary → fail (CANARY_REGRESSION when the
 * baseline passes it, CANARY_NO_DATA when the canary gave none, else CANARY_GATE_FAILED: the probe
 * did fail; the decision, not the junit case, says whose fault it is); metric no data → fail
 * (never a pass); metric fail → fail (CANARY_METRIC_FAILED); inconclusive → skip (neither shown
 * good nor bad; the decision holds). Evidence carries the gate or the whole metric verdict.
 */
import type { Evidence } from '../../errors/harness-error.ts';
import { formatRatio, pPhrase, withUnit } from './judge-format.ts';
import type { CanaryJudgement, GateOutcome, MetricVerdict } from './judge-types.ts';

export interface JudgementCase {
  name: string;
  verdict: 'pass' | 'fail' | 'skip';
  detail: string;
  /** Named code when the case did not pass. */
  code?: string;
  evidence: Evidence;
}

function gateCase(gate: GateOutcome): JudgementCase {
  const name = `gate: ${gate.name}`;
  const evidence: Evidence = { gate };
  const sides = `baseline ${gate.baseline}, canary ${gate.canary}`;
  const detail = gate.detail ? `${sides}: ${gate.detail}` : sides;
  if (gate.canary === 'pass') return { name, verdict: 'pass', detail, evidence };
  if (gate.canary === 'no-data') return { name, verdict: 'fail', detail: `no data from the canary (${detail})`, code: 'CANARY_NO_DATA', evidence };
  if (gate.baseline === 'pass') return { name, verdict: 'fail', detail: `regressed (${detail})`, code: 'CANARY_REGRESSION', evidence };
  const whose = gate.critical ? 'critical gate' : 'not the canary’s fault';
  return { name, verdict: 'fail', detail: `fails on the canary and not passed on the baseline either (${detail}): ${whose}`, code: 'CANARY_GATE_FAILED', evidence };
}

/** One line for a metric: `n 20/20, median 100 ms → 150 ms (1.50×), p < 0.0001: <reason>`. */
export function metricSummary(metric: MetricVerdict): string {
  const medians = `median ${withUnit(metric.median.baseline, metric.unit)} → ${withUnit(metric.median.canary, metric.unit)}`;
  const ratio = metric.ratio === null ? '' : ` (${formatRatio(metric.ratio)})`;
  const p = metric.p === null ? '' : `, ${pPhrase(metric.p)}`;
  return `n ${metric.n.baseline}/${metric.n.canary}, ${medians}${ratio}${p}: ${metric.reason}`;
}

function metricCase(metric: MetricVerdict): JudgementCase {
  const name = `metric: ${metric.name}`;
  const evidence: Evidence = { metric };
  const detail = metricSummary(metric);
  switch (metric.verdict) {
    case 'pass':
      return { name, verdict: 'pass', detail, evidence };
    case 'fail':
      return { name, verdict: 'fail', detail, code: 'CANARY_METRIC_FAILED', evidence };
    case 'no-data':
      return { name, verdict: 'fail', detail, code: 'CANARY_NO_DATA', evidence };
    case 'inconclusive':
      return { name, verdict: 'skip', detail: `inconclusive: ${detail}`, code: 'CANARY_INCONCLUSIVE', evidence };
  }
}

export function judgementToJunitCases(judgement: CanaryJudgement): JudgementCase[] {
  return [...judgement.gates.map(gateCase), ...judgement.metrics.map(metricCase)];
}
