import { HarnessError } from '../errors/harness-error.ts';
import type { RunReport } from '../report/run-report.ts';
import type { CanaryEvidence } from './canary-evidence.ts';
import { CANARY_EXIT_CODES } from './judge/judge.ts';
import type { CanaryJudgement, MetricVerdict } from './judge/judge-types.ts';


const fmt = (value: number | null, unit: string): string => (value === null ? '—' : `${Math.abs(value) >= 100 ? value.toFixed(0) : value.toPrecision(3)} ${unit}`);

function metricLine(metric: MetricVerdict): string {
  return `n ${metric.n.baseline}/${metric.n.canary}, median ${fmt(metric.median.baseline, metric.unit)} → ${fmt(metric.median.canary, metric.unit)}${metric.ratio === null ? '' : ` (×${metric.ratio.toFixed(2)})`}${metric.p === null ? '' : `, p ${metric.p.toPrecision(2)}`}: ${metric.reason}`;
}

/**
 * Puts a judgement into the run report: one check per gate and per metric (so the screen,
 * report.json and junit.xml list the same testcases), the `canary` section of report.json, and
 * the decision that sets the exit code.
 */
export async function recordJudgement(report: RunReport, judgement: CanaryJudgement, evidence: CanaryEvidence, compared: Record<string, string>): Promise<void> {
  for (const gate of judgement.gates) {
    const name = `gate: ${gate.name}`;
    await report.check(name, async () => {
      const detail = gate.detail ?? `baseline ${gate.baseline}, canary ${gate.canary}`;
      if (gate.canary === 'pass') return { detail, evidence: { gate } };
      throw new HarnessError(gate.canary === 'no-data' ? 'CANARY_NO_DATA' : gate.baseline === 'pass' ? 'CANARY_REGRESSION' : 'CANARY_GATE_FAILED', detail, { evidence: { gate } });
    });
  }
  for (const metric of judgement.metrics) {
    const name = `metric: ${metric.name}`;
    if (metric.verdict === 'inconclusive') {
      report.skip(name, `inconclusive: ${metricLine(metric)}`);
      continue;
    }
    await report.check(name, async () => {
      if (metric.verdict === 'pass') return { detail: metricLine(metric), evidence: { metric } };
      throw new HarnessError(metric.verdict === 'no-data' ? 'CANARY_NO_DATA' : 'CANARY_METRIC_FAILED', metricLine(metric), { evidence: { metric } });
    });
  }
  report.sections.canary = { decision: judgement.decision, score: judgement.score, compared, reasons: judgement.reasons, gates: judgement.gates, probes: evidence.probes, metrics: judgement.metrics, samples: evidence.metrics, faults: evidence.faults };
  report.decision = { verdict: judgement.decision, exitCode: CANARY_EXIT_CODES[judgement.decision], reason: judgement.reasons[0] ?? '' };
}
