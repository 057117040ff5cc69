import { currentTimeline, type TimelineStatus } from '../report/timeline.ts';
import type { FrameLog, FrameRecord } from './frame-log.ts';

const STATUS_OF: Record<string, TimelineStatus> = { waiting: 'info', loading: 'info', ready: 'ok', error: 'error' };

function statusOf(record: FrameRecord): { label: string; status: TimelineStatus } {
  if (record.kind === 'open') return { label: 'open', status: 'ok' };
  if (record.kind === 'error') return { label: 'socket error', status: 'error' };
  if (record.kind === 'close') return { label: record.summary.replace(/^closed /, 'close '), status: /^closed 1000\b/.test(record.summary) ? 'info' : 'warn' };
  if (record.kind === 'ping' || record.kind === 'pong') return { label: `${record.kind} ${record.direction === 'in' ? '←' : '→'}`, status: 'info' };
  const content = record.content as { status?: unknown } | undefined;
  const status = typeof content?.status === 'string' ? content.status : undefined;
  if (record.direction === 'out') return { label: '→ observation', status: 'info' };
  if (status) return { label: status, status: STATUS_OF[status] ?? 'info' };
  return { label: record.summary.startsWith('undecodable') ? 'undecodable' : 'result', status: record.summary.startsWith('undecodable') ? 'error' : 'ok' };
}

/**
 * Puts every frame of a session on the run's timeline (lane `ws:<label>`), and marks a server
 * frame that came after a silence longer than `keepaliveMs` (since the previous server frame or
 * the open) with status `warn` and the gap.
 */
export function recordFramesOnTimeline(log: FrameLog, keepaliveMs: number): () => void {
  const timeline = currentTimeline();
  const lane = `ws:${log.label}`;
  let lastInbound: number | undefined;
  return log.onRecord((record) => {
    let { label, status } = statusOf(record);
    const detail: Record<string, unknown> = { seq: record.seq, direction: record.direction, kind: record.kind, size: record.size, summary: record.summary };
    const dataIn = record.direction === 'in' && (record.kind === 'binary' || record.kind === 'text');
    if (record.kind === 'open') lastInbound = record.atMs;
    else if (dataIn) {
      if (lastInbound !== undefined) {
        const gapMs = Math.round(record.atMs - lastInbound);
        detail.gapMs = gapMs;
        if (gapMs > keepaliveMs) {
          status = 'warn';
          label = `${label} after ${(gapMs / 1000).toFixed(2)} s gap`;
          detail.gapAboveKeepalive = { gapMs, keepaliveMs };
        }
      }
      lastInbound = record.atMs;
    }
    timeline.record({ lane, kind: 'frame', label, status, atMs: timeline.at(record.atMs), detail });
  });
}
