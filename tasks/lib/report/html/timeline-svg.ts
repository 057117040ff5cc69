import type { ReportJson } from '../run-report.ts';
import type { TimelineEvent } from '../timeline.ts';
import { escapeHtml } from './html-escape.ts';
import { buildLanes, readyAt, type Lane } from './timeline-lanes.ts';

const WIDTH = 1000;
const LANE_HEIGHT = 22;

/** Axis labels: `500 ms`, `1 s`, `1.5 s` (no trailing zeros). */
const axisLabel = (ms: number): string => (ms < 1000 ? `${Math.round(ms)} ms` : `${Number((ms / 1000).toFixed(3))} s`);
const fmt = (ms: number): string => (Math.abs(ms) < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 3 : 2)} s`);
const num = (value: number): string => String(Math.round(value * 100) / 100);

/** A tick step for the axis: 1, 2 or 5 × 10^k ms, about eight ticks over the run. */
function axisStep(totalMs: number): number {
  const raw = totalMs / 8;
  const power = 10 ** Math.floor(Math.log10(Math.max(raw, 1)));
  return [1, 2, 5, 10].map((m) => m * power).find((step) => step >= raw) ?? power * 10;
}

function titleOf(event: TimelineEvent): string {
  const when = event.endMs !== undefined ? `+${fmt(event.atMs)} → +${fmt(event.endMs)} (${fmt(event.endMs - event.atMs)})` : `+${fmt(event.atMs)}`;
  const count = event.count && event.count > 1 ? ` ×${event.count}` : '';
  const detail = event.detail ? `\n${JSON.stringify(event.detail).slice(0, 300)}` : '';
  return `${event.label}${count} [${event.status ?? 'info'}] · ${event.lane}\n${when}${detail}`;
}

export interface TimelineRender {
  html: string;
  /** Index of the span event of each check (same order as `report.checks`), when it has one. */
  checkSpans: Map<number, number>;
}

/**
 * The run timeline as HTML: lane names on the left, and an SVG with one row per lane (x is time
 * since the run started). Spans are bars, point events are short strokes, probe attempts ticks,
 * and WebSocket frames that came after a gap above the keepalive carry a red band over the gap.
 * Every mark has a `<title>` (hover) and `data-e` (its index in the embedded events, for the detail panel).
 */
export function renderTimeline(report: ReportJson): TimelineRender {
  const events = report.timeline?.events ?? [];
  const lanes = buildLanes(events);
  const totalMs = Math.max(1, report.durationMs, ...events.map((event) => event.endMs ?? event.atMs)) * 1.02;
  const x = (ms: number): number => (Math.max(0, ms) / totalMs) * WIDTH;
  const height = Math.max(1, lanes.length) * LANE_HEIGHT;
  const checkSpans = matchCheckSpans(report, events);
  const checkOf = new Map([...checkSpans].map(([check, event]) => [event, check]));
  const marks: string[] = [];

  lanes.forEach((lane, row) => {
    const top = row * LANE_HEIGHT;
    const mid = top + LANE_HEIGHT / 2;
    marks.push(`<rect class="lane-bg${row % 2 ? ' odd' : ''}" x="0" y="${top}" width="${WIDTH}" height="${LANE_HEIGHT}"/>`);
    if (lane.node !== undefined && lanes[row - 1]?.node !== lane.node) marks.push(`<line class="node-rule" x1="0" x2="${WIDTH}" y1="${top}" y2="${top}"/>`);
    if (lane.group === 'process') marks.push(...processLife(lane, lanes, events, x, mid));
    for (const index of lane.events) {
      const event = events[index] as TimelineEvent;
      const status = event.status ?? 'info';
      const title = `<title>${escapeHtml(titleOf(event))}</title>`;
      const check = checkOf.get(index);
      const data = `data-e="${index}"${check !== undefined ? ` data-check="${check}"` : ''}`;
      if (event.ticks && event.ticks.length) {
        const path = event.ticks.map((at) => `M${num(x(at))} ${top + 5}V${top + LANE_HEIGHT - 5}`).join('');
        marks.push(`<path class="tick s-${status}" d="${path}"/>`);
        const x1 = x(event.atMs);
        const w = Math.max(x(event.endMs ?? event.atMs) - x1, 0.4);
        marks.push(`<rect class="hit" ${data} x="${num(x1 - 0.2)}" y="${top + 3}" width="${num(w + 0.4)}" height="${LANE_HEIGHT - 6}">${title}</rect>`);
      } else if (event.endMs !== undefined && event.kind !== 'process') {
        const x1 = x(event.atMs);
        const w = Math.max(x(event.endMs) - x1, 0.3);
        marks.push(`<rect class="span s-${status}" ${data} x="${num(x1)}" y="${top + 4}" width="${num(w)}" height="${LANE_HEIGHT - 8}">${title}</rect>`);
      } else {
        const gap = event.detail?.gapAboveKeepalive as { gapMs?: number } | undefined;
        if (gap?.gapMs) marks.push(`<rect class="gap" x="${num(x(event.atMs - gap.gapMs))}" y="${top + 2}" width="${num(x(event.atMs) - x(event.atMs - gap.gapMs))}" height="${LANE_HEIGHT - 4}"/>`);
        const cls = event.kind === 'fault' ? 'fault' : event.kind === 'process' ? 'pmark' : 'point';
        const x1 = num(x(event.atMs));
        marks.push(`<line class="${cls} s-${status}" x1="${x1}" x2="${x1}" y1="${top + 3}" y2="${top + LANE_HEIGHT - 3}"/>`);
        marks.push(`<line class="hit" ${data} x1="${x1}" x2="${x1}" y1="${top + 2}" y2="${top + LANE_HEIGHT - 2}">${title}</line>`);
      }
    }
    void mid;
  });

  const step = axisStep(totalMs);
  const axis: string[] = [];
  for (let at = 0; at <= totalMs; at += step) axis.push(`<span style="left:${num((at / totalMs) * 100)}%">${escapeHtml(axisLabel(at))}</span>`);
  const grid = axis.map((_, i) => `<line class="grid" x1="${num(x(i * step))}" x2="${num(x(i * step))}" y1="0" y2="${height}"/>`);
  // A merged report: the first lane of each node starts its group (a rule above it, the node's name in bold).
  const names = lanes.map((lane, i) => {
    const first = lane.node !== undefined && lanes[i - 1]?.node !== lane.node;
    const label = lane.node === undefined ? escapeHtml(lane.name) : `<b>${escapeHtml(lane.node)}</b> › ${escapeHtml(lane.lane)}`;
    return `<div class="lane-name g-${lane.group}${first ? ' node-first' : ''}"${lane.node === undefined ? '' : ` data-node="${escapeHtml(lane.node)}"`} title="${escapeHtml(lane.name)}">${label}</div>`;
  });
  const html = [
    '<div class="tl">',
    `<div class="tl-names"><div class="axis-pad"></div>${names.join('')}</div>`,
    '<div class="tl-scroll"><div class="tl-inner" id="tl-inner">',
    `<div class="axis">${axis.join('')}</div>`,
    `<svg class="tl-svg" viewBox="0 0 ${WIDTH} ${height}" preserveAspectRatio="none" width="100%" height="${height}" role="img" aria-label="run timeline">`,
    ...grid,
    ...marks,
    '</svg></div></div></div>',
  ].join('\n');
  return { html, checkSpans };
}

/** A process's life as a thin bar (start → exit or end of run), and its ready moment (first ok probe). */
function processLife(lane: Lane, lanes: readonly Lane[], events: readonly TimelineEvent[], x: (ms: number) => number, mid: number): string[] {
  const own = lane.events.map((index) => events[index] as TimelineEvent);
  const start = own.find((event) => event.label.startsWith('started'))?.atMs ?? own[0]?.atMs ?? 0;
  const exit = own.find((event) => event.label.startsWith('exited') || event.detail?.code !== undefined || event.detail?.signal !== undefined);
  const end = exit?.atMs ?? Math.max(...own.map((event) => event.endMs ?? event.atMs));
  const out = [`<rect class="life${exit && exit.status === 'error' ? ' life-bad' : ''}" x="${num(x(start))}" y="${mid - 3}" width="${num(Math.max(x(end) - x(start), 0.3))}" height="6"/>`];
  const ready = readyAt(lane, lanes, events);
  if (ready !== undefined) {
    const rx = num(x(ready));
    out.push(`<line class="ready" x1="${rx}" x2="${rx}" y1="${mid - 8}" y2="${mid + 8}"><title>ready at +${escapeHtml(fmt(ready))} (first ok probe)</title></line>`);
  }
  return out;
}

/** The k-th check span labelled N belongs to the k-th check named N (skipped checks have none). */
function matchCheckSpans(report: ReportJson, events: readonly TimelineEvent[]): Map<number, number> {
  const spans = new Map<string, number[]>();
  events.forEach((event, index) => {
    if (event.lane !== 'checks' || event.kind !== 'check') return;
    // A merged report names a node's checks `<node> › <check>`.
    const name = event.node === undefined ? event.label : `${event.node} › ${event.label}`;
    const list = spans.get(name) ?? [];
    list.push(index);
    spans.set(name, list);
  });
  const result = new Map<number, number>();
  report.checks.forEach((check, i) => {
    if (check.verdict === 'skip') return;
    const index = spans.get(check.name)?.shift();
    if (index !== undefined) result.set(i, index);
  });
  return result;
}
