/**
 * The judgement as report checks: one per gate and one per metric, in the shape of the run
 * report's CheckResult (less the timing, which the task owns), so `canary:check` lists on screen,
 * in report.json and in junit.xml the same items the judge decided on.
 *
 * pass → pass; a regressed, critical or both-sides-failing gate → fail (the probe did fail; the
 * decision, not the junit case, says whose fault it is); no data → fail (never a pass); a metric
 * fail → fail; inconclusive → skip (neither shown good nor bad; the decision holds).
 */
import type { Evidence } from '../../errors/harness-error.ts';
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
  const evidence: Evidence = { baseline: gate.baseline, canary: gate.canary, ...(gate.detail ? { detail: gate.detail } : {}), critical: gate.critical === true };
  const sides = `baseline ${gate.baseline}, canary ${gate.canary}`;
  if (gate.canary === 'pass') return { name, verdict: 'pass', detail: `${sides}${gate.detail ? `: ${gate.detail}` : ''}`, evidence };
  if (gate.baseline === 'pass') return { name, verdict: 'fail', detail: `regressed: ${sides}${gate.detail ? `: ${gate.detail}` : ''}`, code: 'CANARY_GATE_REGRESSED', evidence };
  if (gate.canary === 'no-data' || gate.baseline === 'no-data') return { name, verdict: 'fail', detail: `no data: ${sides}`, code: 'CANARY_NO_DATA', evidence };
  return { name, verdict: 'fail', detail: `fails on both sides (${sides})${gate.critical ? '; critical gate' : ': not the canary’s fault'}`, code: 'CANARY_GATE_FAILS_ON_BOTH', evidence };
}

function metricCase(metric: MetricVerdict): JudgementCase {
  const name = `metric: ${metric.name}`;
  const evidence: Evidence = { ...metric };
  switch (metric.verdict) {
    case 'pass':
      return { name, verdict: 'pass', detail: metric.reason, evidence };
    case 'fail':
      return { name, verdict: 'fail', detail: metric.reason, code: metric.critical ? 'CANARY_CRITICAL_METRIC_FAILED' : 'CANARY_METRIC_FAILED', evidence };
    case 'no-data':
      return { name, verdict: 'fail', detail: metric.reason, code: 'CANARY_NO_DATA', evidence };
    case 'inconclusive':
      return { name, verdict: 'skip', detail: `inconclusive: ${metric.reason}`, code: 'CANARY_INCONCLUSIVE', evidence };
  }
}

export function judgementToJunitCases(judgement: CanaryJudgement): JudgementCase[] {
  return [...judgement.gates.map(gateCase), ...judgement.metrics.map(metricCase)];
}
