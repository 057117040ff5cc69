import { readFileSync } from 'node:fs';
import type { CheckResult, LogRecord } from '../check-result.ts';
import type { ReportJson } from '../run-report.ts';
import type { TimelineEvent } from '../timeline.ts';
import { escapeHtml, jsonForScript } from './html-escape.ts';
import { renderTimeline } from './timeline-svg.ts';
import { renderCanarySection, type CanarySectionJson } from './canary-section.ts';

/** canary:check's exit codes mean its decision, not pass/fail. */
const DECISION_EXIT: Record<string, string> = { promote: 'promote', rollback: 'rollback', hold: 'hold: inconclusive, a person decides' };

const asset = (name: string): string => readFileSync(new URL(name, import.meta.url), 'utf8');
let assets: { css: string; js: string } | undefined;

const EXIT_MEANING: Record<number, string> = { 0: 'all checks passed', 1: 'a check failed', 2: 'usage or config error', 3: 'environment or preflight error', 4: 'hold: inconclusive, a person decides', 130: 'interrupted (SIGINT)', 143: 'interrupted (SIGTERM)' };
/** Verdict badges are text, not emoji: headless browsers and CI machines often have no emoji font. */
const BADGE: Record<string, string> = { pass: 'PASS', fail: 'FAIL', skip: 'SKIP', interrupted: 'STOP' };
const badge = (verdict: string): string => `<span class="badge b-${verdict}">${BADGE[verdict] ?? escapeHtml(verdict.toUpperCase())}</span>`;
/** Evidence is shown in full up to this many characters; report.json always has all of it. */
const EVIDENCE_CHARS = 12_000;
/** Log lines shown around a failed check's end. */
const AROUND_BEFORE_MS = 3000;
const AROUND_AFTER_MS = 1000;

const fmt = (ms: number): string => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`);
const at = (ms: number | undefined): string => (ms === undefined ? '' : `+${(ms / 1000).toFixed(3)}s`);

function logLines(log: LogRecord, from = 0, to = Number.POSITIVE_INFINITY): string {
  const rows = log.tail.map((line, i) => ({ line, time: log.times?.[i] }));
  const shown = log.times ? rows.filter((row) => row.time === undefined || (row.time >= from && row.time <= to)) : rows;
  return shown.map((row) => `<span class="ln"><span class="t">${escapeHtml(at(row.time))}</span>${escapeHtml(row.line)}</span>`).join('\n');
}

/** The log tails of the process(es) around a failed check's moment: its own process when the evidence names one. */
function logsAround(report: ReportJson, check: CheckResult, span: TimelineEvent | undefined): string {
  if (!span) return '';
  const end = span.endMs ?? span.atMs;
  const from = Math.max(span.atMs, end - AROUND_BEFORE_MS);
  const named = typeof check.evidence.process === 'string' ? report.logs.filter((log) => log.name === check.evidence.process) : [];
  const candidates = named.length ? named : report.logs.filter((log) => log.times?.some((time) => time >= from && time <= end + AROUND_AFTER_MS));
  return candidates
    .map((log) => {
      const lines = logLines(log, from, end + AROUND_AFTER_MS);
      return `<div class="around"><div class="around-h">${escapeHtml(log.name)} between ${escapeHtml(at(from))} and ${escapeHtml(at(end + AROUND_AFTER_MS))}${log.path ? ` · <code>${escapeHtml(log.path)}</code>` : ''}</div><pre class="log">${lines || '<span class="muted">(no output in that window)</span>'}</pre></div>`;
    })
    .join('');
}

function evidenceBlock(check: CheckResult): string {
  const text = JSON.stringify(check.evidence, null, 2) ?? '{}';
  const cut = text.length > EVIDENCE_CHARS ? `${text.slice(0, EVIDENCE_CHARS)}\n… ${text.length - EVIDENCE_CHARS} more characters in report.json` : text;
  return `<pre class="json">${escapeHtml(cut)}</pre>`;
}

function settingsTable(settings: Record<string, unknown>): string {
  const rows = Object.entries(settings).map(([key, value]) => `<tr><th>${escapeHtml(key)}</th><td><code>${escapeHtml(typeof value === 'string' ? value : JSON.stringify(value))}</code></td></tr>`);
  return rows.length ? `<table class="kv">${rows.join('')}</table>` : '<p class="muted">none recorded</p>';
}

/**
 * `report.html`: one self-contained page (inline CSS and JS, no network) built from
 * `report.json`: verdict and exit code, the run timeline, the checks with their evidence (a
 * failed check links to its evidence and the log tail of its process around that moment), the
 * log tails, and the settings. Everything in it comes from the report, which is already redacted.
 */
export function renderReportHtml(report: ReportJson): string {
  assets ??= { css: asset('./viewer.css'), js: asset('./viewer.js') };
  const timeline = renderTimeline(report);
  const events = report.timeline?.events ?? [];
  const passed = report.exitCode === 0;
  const canary = (report as unknown as { canary?: CanarySectionJson }).canary;
  const decision = report.decision?.verdict;
  const verdict = decision ? decision.toUpperCase() : passed ? 'passed' : report.interrupted ? 'interrupted' : 'failed';
  const headBadge = decision ? `<span class="badge b-${decision === 'promote' ? 'pass' : decision === 'hold' ? 'hold' : 'fail'}">${escapeHtml(decision.toUpperCase())}</span>` : badge(passed ? 'pass' : report.interrupted ? 'interrupted' : 'fail');
  const exitMeaning = (decision ? DECISION_EXIT[decision] : undefined) ?? EXIT_MEANING[report.exitCode] ?? 'see the task\'s --help';
  const rows = report.checks.map((check, i) => {
    const span = timeline.checkSpans.get(i);
    const start = span === undefined ? '' : `<a href="#" class="jump" data-e="${span}">${escapeHtml(at(events[span]?.atMs))}</a>`;
    const name = check.verdict === 'fail' ? `<a href="#check-${i}">${escapeHtml(check.name)}</a>` : escapeHtml(check.name);
    const code = check.verdict === 'fail' && check.code ? `<code>[${escapeHtml(check.code)}]</code> ` : '';
    return `<tr class="v-${check.verdict}" id="row-${i}"><td>${badge(check.verdict)}</td><td class="name">${name}</td><td>${start}</td><td class="num">${escapeHtml(fmt(check.durationMs))}</td><td>${code}${escapeHtml(check.detail)}</td></tr>`;
  });
  const failures = report.checks
    .map((check, i) => ({ check, i }))
    .filter(({ check }) => check.verdict === 'fail')
    .map(({ check, i }) => {
      const spanIndex = timeline.checkSpans.get(i);
      const span = spanIndex === undefined ? undefined : events[spanIndex];
      return [
        `<section class="evidence" id="check-${i}">`,
        `<h3>${badge('fail')} ${escapeHtml(check.name)} ${check.code ? `<code>[${escapeHtml(check.code)}]</code>` : ''} ${span ? `<a href="#" class="jump" data-e="${spanIndex}">${escapeHtml(at(span.atMs))} → ${escapeHtml(at(span.endMs))}</a>` : ''}</h3>`,
        `<p>${escapeHtml(check.detail)}</p>`,
        check.hint ? `<p class="hint">fix: ${escapeHtml(check.hint)}</p>` : '',
        logsAround(report, check, span),
        `<details open><summary>evidence</summary>${evidenceBlock(check)}</details>`,
        '</section>',
      ].join('\n');
    });
  const error = report.error
    ? `<section class="run-error"><h3>${badge('fail')} ${escapeHtml(report.error.kind)}: <code>[${escapeHtml(report.error.code)}]</code></h3><p>${escapeHtml(report.error.message)}</p>${report.error.hint ? `<p class="hint">fix: ${escapeHtml(report.error.hint)}</p>` : ''}</section>`
    : '';
  const logs = report.logs.map(
    (log) =>
      `<details class="logfile"${passed ? '' : ' open'}><summary><strong>${escapeHtml(log.name)}</strong> <span class="muted">(last ${log.tail.length} lines${log.path ? `, full log: <code>${escapeHtml(log.path)}</code>` : ''})</span></summary><pre class="log">${logLines(log) || '<span class="muted">(empty)</span>'}</pre></details>`,
  );
  const nodes = report.nodes?.length
    ? `<section id="nodes"><h2>Nodes</h2><table class="checks"><thead><tr><th></th><th>node</th><th>task</th><th>exit</th><th>checks</th><th>report</th></tr></thead><tbody>${report.nodes
        .map((node) => {
          const shown = node.verdict === 'missing' ? 'fail' : node.verdict === 'pass' ? 'pass' : node.verdict === 'interrupted' ? 'interrupted' : 'fail';
          const counts = node.verdict === 'missing' ? 'no report' : `${node.summary.passed} passed, ${node.summary.failed} failed${node.summary.skipped ? `, ${node.summary.skipped} skipped` : ''}`;
          return `<tr class="v-${shown}"><td>${badge(shown)}</td><td class="name">${escapeHtml(node.node)}</td><td>${escapeHtml(node.task)}</td><td class="num">${node.exitCode}</td><td>${escapeHtml(counts)}</td><td><code>${escapeHtml(node.source)}</code></td></tr>`;
        })
        .join('')}</tbody></table></section>`
    : '';
  const { passed: p, failed: f, skipped: s, interrupted: i = 0 } = report.summary;
  const dropped = report.timeline?.dropped ? ` · ${report.timeline.dropped} timeline events not kept` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(report.task)} ${verdict}</title>
<style>${assets.css}</style></head>
<body class="${passed ? 'passed' : decision === 'hold' ? 'held' : 'failed'}">
<header><h1>${headBadge} ${escapeHtml(report.task)} ${escapeHtml(verdict)}</h1>
<p class="meta"><span class="exit">exit ${report.exitCode} (${escapeHtml(exitMeaning)})</span> · ${p} passed, ${f} failed${s ? `, ${s} skipped` : ''}${i ? `, ${i} interrupted` : ''} · ${escapeHtml(fmt(report.durationMs))} · started ${escapeHtml(report.startedAt)}${report.interruptedBy ? ` · interrupted by ${escapeHtml(report.interruptedBy)}` : ''}</p></header>
<main>
${error}
${canary ? renderCanarySection(canary) : ''}
${nodes}
<section id="timeline"><h2>Timeline</h2>
<div class="tools">zoom <button data-zoom="1">1×</button><button data-zoom="2">2×</button><button data-zoom="4">4×</button><button data-zoom="10">10×</button>
<span class="legend"><i class="s-ok"></i>ok <i class="s-info"></i>info <i class="s-not-ready"></i>not ready <i class="s-refused"></i>refused <i class="s-warn"></i>warn <i class="s-error"></i>error / failed</span></div>
${timeline.html}
<div id="detail" class="detail muted">Hover a mark for a summary; click it for its detail.${dropped}</div>
</section>
<section id="checks"><h2>Checks</h2>
<table class="checks"><thead><tr><th></th><th>check</th><th>at</th><th>took</th><th>detail</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>
${failures.length ? `<section id="failures"><h2>Failed checks: evidence</h2>${failures.join('\n')}</section>` : ''}
<section id="logs"><h2>Log tails</h2>${logs.join('\n') || '<p class="muted">no process logs</p>'}</section>
<section id="settings"><h2>Settings</h2>${settingsTable(report.settings)}</section>
</main>
<footer>hivecheck · built from report.json${dropped}</footer>
<script type="application/json" id="events">${jsonForScript(events)}</script>
<script>${assets.js}</script>
</body></html>
`;
}
