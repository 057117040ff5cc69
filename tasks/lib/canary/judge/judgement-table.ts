/**
 * The judgement as plain text for the terminal: the gates, then one row per metric (n, medians,
 * ratio, Hodges–Lehmann interval, p, worse-side tail, verdict) with its reason on the line below,
 * then the decision and the reasons for it. No colour, no escape sequences: it reads the same in
 * a CI log.
 */
import { formatP, formatRatio, formatValue, withUnit } from './judge-format.ts';
import type { CanaryJudgement, GateOutcome, MetricVerdict } from './judge-types.ts';
import { canaryExitCode } from './judge.ts';

/** Names and reasons come from the user and from probes: keep control characters off the screen. */
function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
}

/** Gate details can be long (both sides' evidence); the full text is in the checks and report.json. */
const DETAIL_WIDTH = 90;

function clip(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

function renderColumns(header: string[], rows: string[][]): string[] {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: string[]): string => cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd();
  return [line(header), line(widths.map((width) => '─'.repeat(width))), ...rows.map(line)];
}

const VERDICT_MARK: Record<MetricVerdict['verdict'], string> = { pass: 'pass', fail: 'FAIL', inconclusive: 'inconclusive', 'no-data': 'NO DATA' };

function gateOutcome(gate: GateOutcome): string {
  if (gate.canary === 'pass') return gate.baseline === 'pass' ? 'pass' : 'pass (fixed)';
  if (gate.baseline === 'pass') return 'REGRESSED';
  if (gate.baseline === 'fail' && gate.canary === 'fail') return 'fails on both';
  return gate.critical ? 'FAIL (critical)' : 'NO DATA';
}

function gateRows(gates: readonly GateOutcome[]): string[] {
  if (gates.length === 0) return ['Gates: none'];
  const rows = gates.map((gate) => [printable(gate.name) + (gate.critical ? ' (critical)' : ''), gate.baseline, gate.canary, gateOutcome(gate), clip(printable(gate.detail ?? ''), DETAIL_WIDTH)]);
  return ['Gates', ...renderColumns(['gate', 'baseline', 'canary', 'outcome', 'detail'], rows)];
}

function shiftCell(metric: MetricVerdict): string {
  if (!metric.shift) return '–';
  const { estimate, low, high, confidence } = metric.shift;
  return `${formatValue(estimate)} [${formatValue(low)}, ${formatValue(high)}] ${Math.round(confidence * 100)}%`;
}

function tailCell(metric: MetricVerdict): string {
  if (!metric.tail) return '–';
  const { quantile, baseline, canary, ratio } = metric.tail;
  return `p${Math.round(quantile * 100)} ${formatValue(baseline)} → ${formatValue(canary)} (${formatRatio(ratio)})`;
}

/** `per process pair (median b → c): #1 47.8 → 71.4 worse, #2 …; canary worse in 1 of 3`. */
function replicateLine(metric: MetricVerdict): string {
  const replicates = metric.replicates as NonNullable<MetricVerdict['replicates']>;
  const pairs = replicates.pairs.map((pair) => `#${pair.replicate} ${formatValue(pair.median.baseline)} → ${formatValue(pair.median.canary)}${pair.canaryWorse === null ? ' (one side has no data)' : pair.canaryWorse ? ' worse' : ''}`);
  return `per ${replicates.unit === 'block' ? 'sampling block' : 'process pair'} (median baseline → canary, ${metric.unit}): ${pairs.join(', ')}; canary worse in ${replicates.worse} of ${replicates.compared}`;
}

function metricRows(metrics: readonly MetricVerdict[]): string[] {
  if (metrics.length === 0) return ['Metrics: none'];
  const header = ['metric', 'n b/c', 'median baseline', 'median canary', 'ratio', 'shift c−b [interval]', 'p', 'tail', 'verdict'];
  const rows = metrics.map((metric) => [
    `${printable(metric.name)} (${metric.critical ? 'critical, ' : ''}${metric.better} is better)`,
    `${metric.n.baseline}/${metric.n.canary}${metric.lost ? ` (lost ${metric.lost.baseline}/${metric.lost.canary})` : ''}`,
    withUnit(metric.median.baseline, metric.unit),
    withUnit(metric.median.canary, metric.unit),
    formatRatio(metric.ratio),
    shiftCell(metric),
    formatP(metric.p),
    tailCell(metric),
    VERDICT_MARK[metric.verdict],
  ]);
  const [title, rule, ...body] = renderColumns(header, rows);
  const lines = ['Metrics', title as string, rule as string];
  body.forEach((line, index) => {
    const metric = metrics[index] as MetricVerdict;
    lines.push(line, `    ↳ ${printable(metric.reason)}`);
    if (metric.replicates) lines.push(`    ↳ ${replicateLine(metric)}`);
  });
  return lines;
}

export function renderJudgementTable(judgement: CanaryJudgement): string {
  const passed = judgement.metrics.filter((metric) => metric.verdict === 'pass').length;
  const decision = `Decision: ${judgement.decision.toUpperCase()} (exit ${canaryExitCode(judgement.decision)}; score ${passed}/${judgement.metrics.length} metrics pass = ${formatValue(judgement.score)})`;
  return [
    ...gateRows(judgement.gates),
    '',
    ...metricRows(judgement.metrics),
    '',
    decision,
    ...judgement.reasons.map((reason) => `  - ${printable(reason)}`),
    '',
  ].join('\n');
}
