import { currentTimeline, type Timeline, type TimelineStatus } from '../report/timeline.ts';
import { formatDuration } from '../time/format-duration.ts';
import { epochOf } from '../time/wall-clock.ts';

export type FrameDirection = 'in' | 'out' | 'local';
/** `open`/`close`/`error` are socket events; `binary`/`text` data frames; `ping`/`pong` control frames. */
export type FrameKind = 'open' | 'binary' | 'text' | 'ping' | 'pong' | 'close' | 'error';

export interface FrameRecord {
  seq: number;
  direction: FrameDirection;
  kind: FrameKind;
  /** Payload bytes (0 for socket events). */
  size: number;
  /** `performance.now()` when the harness saw (or sent) it: monotonic, for gaps. */
  atMs: number;
  /** Epoch milliseconds of `atMs` on the wall clock as it reads now, comparable with a server's own stamps (`epochOf`). */
  epochMs: number;
  /** Decoded content, JSON-safe (arrays summarised). */
  content?: unknown;
  /** One readable line. */
  summary: string;
}

/** A silence between two events the client waited through. */
export interface FrameGap {
  ms: number;
  from: { seq: number; summary: string; epochMs: number };
  to: { seq: number; summary: string; epochMs: number };
}

const DATA_KINDS: readonly FrameKind[] = ['binary', 'text'];

/** Timeline colour of a frame by the state it announces (status protocol); other words are `info`. */
const STATUS_OF_WORD: Record<string, TimelineStatus> = { waiting: 'info', loading: 'info', ready: 'ok', completed: 'ok', error: 'error', failed: 'error' };

function statusWord(content: unknown): string | undefined {
  const status = (content as { status?: unknown } | null | undefined)?.status;
  return typeof status === 'string' ? status.slice(0, 40) : undefined;
}

/**
 * Every frame of one WebSocket session with a monotonic timestamp, in order. Bounded: past
 * `limit` records the oldest data/control frames are dropped but counted. Each record also goes
 * to the run's timeline (lane `ws:<label>`), a server frame after a silence above `warnGapMs`
 * marked `warn`.
 */
export class FrameLog {
  readonly #records: FrameRecord[] = [];
  readonly #listeners = new Set<(record: FrameRecord) => void>();
  readonly #timeline: Timeline = currentTimeline();
  #seq = 0;
  #dropped = 0;
  #lastInboundAt: number | undefined;
  /** A server frame this long after the previous one (or the open) is a `warn` on the timeline. */
  warnGapMs: number | undefined;

  constructor(
    readonly label: string,
    readonly limit = 5000,
  ) {}

  /** Adds a record; `atMs` is when it happened (default: now), for callers that decode before recording. */
  record(direction: FrameDirection, kind: FrameKind, size: number, summary: string, content?: unknown, atMs = performance.now()): FrameRecord {
    this.#seq += 1;
    const record: FrameRecord = { seq: this.#seq, direction, kind, size, atMs, epochMs: epochOf(atMs), summary };
    if (content !== undefined) record.content = content;
    this.#records.push(record);
    if (this.#records.length > this.limit) {
      this.#records.splice(1, 1); // keep `open`
      this.#dropped += 1;
    }
    this.#toTimeline(record);
    for (const listener of this.#listeners) listener(record);
    return record;
  }

  #toTimeline(record: FrameRecord): void {
    const data = DATA_KINDS.includes(record.kind);
    const word = data ? statusWord(record.content) : undefined;
    let label = word && !record.summary.startsWith(word) ? word : record.summary.slice(0, 80);
    let status: TimelineStatus = record.kind === 'error' ? 'error' : word ? (STATUS_OF_WORD[word] ?? 'info') : data || record.kind === 'pong' ? 'ok' : 'info';
    if (record.kind === 'close' && !/^closed 1000\b/.test(record.summary)) status = 'warn';
    if (record.summary.startsWith('undecodable')) status = 'error';
    const detail: Record<string, unknown> = { seq: record.seq, direction: record.direction, kind: record.kind, bytes: record.size, summary: record.summary };
    if (record.kind === 'open' || (record.direction === 'in' && data)) {
      const gapMs = this.#lastInboundAt === undefined ? undefined : record.atMs - this.#lastInboundAt;
      if (record.kind !== 'open' && gapMs !== undefined) {
        detail.gapMs = Math.round(gapMs);
        if (this.warnGapMs !== undefined && gapMs > this.warnGapMs) {
          status = 'warn';
          label = `${label} after ${(gapMs / 1000).toFixed(2)} s gap`;
          detail.gapAboveKeepalive = { gapMs: Math.round(gapMs), keepaliveMs: this.warnGapMs };
        }
      }
      this.#lastInboundAt = record.atMs;
    }
    this.#timeline.record({ lane: `ws:${this.label}`, kind: 'frame', label, status, atMs: this.#timeline.at(record.atMs), detail });
  }

  onRecord(listener: (record: FrameRecord) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get records(): readonly FrameRecord[] {
    return this.#records;
  }

  get dropped(): number {
    return this.#dropped;
  }

  get opened(): FrameRecord | undefined {
    return this.#records.find((record) => record.kind === 'open');
  }

  /** Data frames the server sent. */
  inbound(): FrameRecord[] {
    return this.#records.filter((record) => record.direction === 'in' && DATA_KINDS.includes(record.kind));
  }

  lastInbound(): FrameRecord | undefined {
    return this.inbound().at(-1);
  }

  /** Time since the last server data frame (or since open when none came yet). */
  sinceLastFrameMs(now = performance.now()): number | undefined {
    const last = this.lastInbound() ?? this.opened;
    return last ? now - last.atMs : undefined;
  }

  /** Control frames of a kind and direction after a moment: pings sent, pongs received… */
  countSince(direction: FrameDirection, kind: FrameKind, sinceMs: number): number {
    return this.#records.filter((record) => record.direction === direction && record.kind === kind && record.atMs > sinceMs).length;
  }

  /**
   * The silences the client waited through: open → first server frame → … → `until` frame
   * (inclusive; default: all of them).
   */
  gaps(untilSeq = Number.POSITIVE_INFINITY): FrameGap[] {
    const points = [this.opened, ...this.inbound()].filter((record): record is FrameRecord => record !== undefined && record.seq <= untilSeq);
    const gaps: FrameGap[] = [];
    for (let i = 1; i < points.length; i += 1) {
      const from = points[i - 1] as FrameRecord;
      const to = points[i] as FrameRecord;
      gaps.push({ ms: to.atMs - from.atMs, from: pick(from), to: pick(to) });
    }
    return gaps;
  }

  largestGap(untilSeq?: number): FrameGap | undefined {
    return this.gaps(untilSeq).reduce<FrameGap | undefined>((largest, gap) => (largest === undefined || gap.ms > largest.ms ? gap : largest), undefined);
  }

  /** `+1.002s ← binary 61 B {"status":"loading",…}` lines, relative to open, the last `max` of them. */
  timeline(max = 60): string[] {
    const origin = this.opened?.atMs ?? this.#records[0]?.atMs ?? 0;
    const arrow = { in: '←', out: '→', local: '·' } as const;
    const lines = this.#records.map((record) => {
      const offset = (record.atMs - origin) / 1000;
      const size = record.kind === 'binary' || record.kind === 'text' || record.kind === 'ping' || record.kind === 'pong' ? ` ${record.size} B` : '';
      return `${offset >= 0 ? '+' : ''}${offset.toFixed(3)}s ${arrow[record.direction]} ${record.kind}${size} ${record.summary}`.trimEnd();
    });
    if (lines.length <= max) return lines;
    return [`… ${lines.length - max + this.#dropped} earlier records`, ...lines.slice(-max)];
  }

  /** What a report needs: the readable timeline and the raw records (bounded). */
  toEvidence(max = 200): { timeline: string[]; frames: FrameRecord[] } {
    const frames = this.#records.length > max ? [this.#records[0] as FrameRecord, ...this.#records.slice(-(max - 1))] : [...this.#records];
    return { timeline: this.timeline(max), frames: frames.map((record) => ({ ...record, atMs: round(record.atMs), epochMs: round(record.epochMs) })) };
  }

  describeGap(gap: FrameGap | undefined): string {
    if (!gap) return 'no gap (no frame)';
    return `${formatDuration(gap.ms)} (#${gap.from.seq} ${gap.from.summary} → #${gap.to.seq} ${gap.to.summary})`;
  }
}

function pick(record: FrameRecord): FrameGap['from'] {
  return { seq: record.seq, summary: record.summary, epochMs: round(record.epochMs) };
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
