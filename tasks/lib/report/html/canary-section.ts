import { formatP, formatRatio, withUnit } from '../../canary/judge/judge-format.ts';
import type { GateOutcome, MetricVerdict } from '../../canary/judge/judge-types.ts';
import { escapeHtml } from './html-escape.ts';

/** report.json's `canary` section (canary:check), as far as the page reads it. */
export interface CanarySectionJson {
  decision: 'promote' | 'hold' | 'rollback' | null;
  noDecision?: string;
  score?: number;
  compared?: Record<string, string>;
  reasons?: string[];
  gates?: GateOutcome[];
  metrics?: MetricVerdict[];
  skipped?: Array<{ name: string; why: string }>;
  crashes?: Record<string, { detail: string }>;
}

/** What each decision means to a release engineer, in plain words (no README needed). */
export const DECISION_MEANING: Record<'promote' | 'hold' | 'rollback', string> = {
  promote: 'the canary is as good as the baseline on every gate and metric: roll it out further',
  hold: 'inconclusive: nothing shows the canary is worse, but nothing shows it is fine either — a person looks at the reasons below and decides',
  rollback: 'the canary is worse than the baseline where it matters: roll it back',
};

const GATE_OUTCOME = (gate: GateOutcome): { text: string; cls: string } => {
  if (gate.canary === 'pass') return gate.baseline === 'pass' ? { text: 'pass', cls: 'pass' } : { text: 'pass (baseline did not)', cls: 'pass' };
  if (gate.baseline === 'pass') return { text: 'REGRESSED', cls: 'fail' };
  if (gate.baseline === 'fail' && gate.canary === 'fail') return { text: 'fails on both sides (probe or budget does not fit)', cls: 'hold' };
  return gate.critical ? { text: 'FAIL (critical)', cls: 'fail' } : { text: 'no data', cls: 'hold' };
};

const METRIC_CLASS: Record<MetricVerdict['verdict'], string> = { pass: 'pass', fail: 'fail', inconclusive: 'hold', 'no-data': 'hold' };

function gateTable(gates: readonly GateOutcome[], skipped: ReadonlyArray<{ name: string; why: string }>): string {
  if (gates.length === 0 && skipped.length === 0) return '<p class="muted">no gates</p>';
  const rows = gates.map((gate) => {
    const outcome = GATE_OUTCOME(gate);
    return `<tr class="c-${outcome.cls}"><td class="name">${escapeHtml(gate.name)}${gate.critical ? ' <span class="muted">(critical)</span>' : ''}</td><td>${escapeHtml(gate.baseline)}</td><td>${escapeHtml(gate.canary)}</td><td class="outcome">${escapeHtml(outcome.text)}</td><td>${escapeHtml(gate.detail ?? '')}</td></tr>`;
  });
  const skips = skipped.map((skip) => `<tr class="c-skip"><td class="name">${escapeHtml(skip.name)}</td><td>–</td><td>–</td><td class="outcome">skipped</td><td>${escapeHtml(skip.why)}</td></tr>`);
  return `<table class="canary-gates"><thead><tr><th>gate</th><th>baseline</th><th>canary</th><th>outcome</th><th>what each side showed</th></tr></thead><tbody>${[...rows, ...skips].join('')}</tbody></table>`;
}

function metricTable(metrics: readonly MetricVerdict[]): string {
  if (metrics.length === 0) return '<p class="muted">no metrics</p>';
  const rows = metrics.map((metric) => {
    const lost = metric.lost ? ` <span class="lost">lost ${metric.lost.baseline}/${metric.lost.canary}</span>` : '';
    return `<tr class="c-${METRIC_CLASS[metric.verdict]}"><td class="name">${escapeHtml(metric.name)} <span class="muted">(${metric.better} is better)</span></td><td class="num">${metric.n.baseline}/${metric.n.canary}${lost}</td><td class="num">${escapeHtml(withUnit(metric.median.baseline, metric.unit))}</td><td class="num">${escapeHtml(withUnit(metric.median.canary, metric.unit))}</td><td class="num">${escapeHtml(formatRatio(metric.ratio))}</td><td class="num">${escapeHtml(formatP(metric.p))}</td><td class="outcome">${escapeHtml(metric.verdict)}</td><td>${escapeHtml(metric.reason)}</td></tr>`;
  });
  return `<table class="canary-metrics"><thead><tr><th>metric</th><th>n baseline/canary</th><th>median baseline</th><th>median canary</th><th>ratio</th><th>p</th><th>verdict</th><th>why</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** The canary's decision, first on the page: the decision and what it means, the reasons, what was compared, the gate table and the metric table. */
export function renderCanarySection(canary: CanarySectionJson): string {
  const decision = canary.decision;
  const head = decision
    ? `<h2 class="decision d-${decision}"><span class="decision-word">${decision.toUpperCase()}</span> <span class="decision-meaning">${escapeHtml(DECISION_MEANING[decision])}</span></h2>`
    : `<h2 class="decision d-none"><span class="decision-word">NO DECISION</span> <span class="decision-meaning">${escapeHtml(canary.noDecision ?? 'the run ended before the judge could decide')}</span></h2>`;
  const reasons = (canary.reasons ?? []).map((reason) => `<li>${escapeHtml(reason)}</li>`).join('');
  const compared = Object.entries(canary.compared ?? {}).map(([role, what]) => `<tr><th>${escapeHtml(role)}</th><td><code>${escapeHtml(what)}</code></td></tr>`).join('');
  const crashes = Object.entries(canary.crashes ?? {}).map(([role, crash]) => `<li><strong>${escapeHtml(role)}</strong> ${escapeHtml(crash.detail)}</li>`).join('');
  return `<section id="canary">${head}
${reasons ? `<h3>Why</h3><ol class="reasons">${reasons}</ol>` : ''}
${crashes ? `<h3>Crashes</h3><ul class="reasons">${crashes}</ul>` : ''}
${compared ? `<h3>Compared</h3><table class="kv">${compared}</table>` : ''}
<h3>Gates (a probe's pass/fail on each side)</h3>${gateTable(canary.gates ?? [], canary.skipped ?? [])}
<h3>Metrics (samples from each side, interleaved)</h3>${metricTable(canary.metrics ?? [])}
</section>`;
}
