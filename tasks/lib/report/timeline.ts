import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What happened when, relative to the start of a run: the raw material of the HTML report's
 * timeline. Library code records into the run's timeline through `currentTimeline()` (an
 * AsyncLocalStorage set by the runner), so a guard, a probe or a WebSocket client needs no
 * reference to the report; outside a run the calls go nowhere.
 */
export type TimelineKind = 'process' | 'probe' | 'heartbeat' | 'frame' | 'fault' | 'check' | 'phase' | 'note';

/** How an event went, for colouring: a probe that was refused, a frame after a gap, a check that failed. */
export type TimelineStatus = 'ok' | 'info' | 'warn' | 'error' | 'refused' | 'not-ready' | 'interrupted';

export interface TimelineEvent {
  /** Milliseconds since the run started (monotonic clock). */
  atMs: number;
  /** For spans (a check, a process's life): when it ended, same clock. */
  endMs?: number;
  /** One row of the timeline: `process:worker`, `probe:worker /v1/health`, `hive`, `ws:cold-start`, `faults`, `checks`. */
  lane: string;
  kind: TimelineKind;
  /** A few words shown on the event: `started pid 4242`, `503 not ready`, `loading`. */
  label: string;
  status?: TimelineStatus;
  /** Anything worth showing on hover (already redacted: never put a token here). */
  detail?: Record<string, unknown>;
  /**
   * Probe attempts in a row with the same outcome are kept as one event: `ticks` holds when each
   * attempt was made (the first is `atMs`, the last `endMs`), `count` how many there were.
   */
  ticks?: number[];
  count?: number;
  /** In a merged report: the node or shard whose run recorded it (its lanes are grouped under the node). */
  node?: string;
}

export type TimelineInput = Omit<TimelineEvent, 'atMs'> & { atMs?: number };

/** An open span: `end()` closes it with the outcome. */
export interface TimelineSpan {
  end(status?: TimelineStatus, detail?: Record<string, unknown>, label?: string): void;
}

/** Events kept per run; past this new events are counted, not kept. */
export const TIMELINE_MAX_EVENTS = 20_000;
/** Attempt times kept per run of same-outcome probe ticks (a 10 ms poll for 30 s is 3000); the count goes on. */
export const TIMELINE_MAX_TICKS = 5_000;

export class Timeline {
  readonly events: TimelineEvent[] = [];
  dropped = 0;
  readonly #lastProbe = new Map<string, TimelineEvent>();

  /** `origin` is a `performance.now()` reading: the run's start. */
  constructor(readonly origin: number = performance.now()) {}

  /** Milliseconds since the run started. */
  now(): number {
    return performance.now() - this.origin;
  }

  /** Converts a `performance.now()` reading into this timeline's clock. */
  at(performanceNow: number): number {
    return performanceNow - this.origin;
  }

  record(input: TimelineInput): TimelineEvent | undefined {
    if (input.kind === 'probe' && input.endMs === undefined) return this.#tick(input);
    return this.#push(input);
  }

  /** A probe attempt: joins the lane's previous run of attempts when it had the same outcome. */
  #tick(input: TimelineInput): TimelineEvent | undefined {
    const atMs = round(input.atMs ?? this.now());
    const last = this.#lastProbe.get(input.lane);
    if (last && last.status === input.status && last.label === input.label && last.ticks) {
      last.count = (last.count ?? 1) + 1;
      if (last.ticks.length < TIMELINE_MAX_TICKS) last.ticks.push(atMs);
      last.endMs = atMs;
      if (input.detail) last.detail = { ...last.detail, latest: input.detail };
      return last;
    }
    const event = this.#push({ ...input, atMs });
    if (event) {
      event.ticks = [atMs];
      event.count = 1;
      this.#lastProbe.set(input.lane, event);
    }
    return event;
  }

  #push(input: TimelineInput): TimelineEvent | undefined {
    if (this.events.length >= TIMELINE_MAX_EVENTS) {
      this.dropped += 1;
      return undefined;
    }
    const event: TimelineEvent = { ...input, atMs: round(input.atMs ?? this.now()) };
    if (input.endMs !== undefined) event.endMs = round(input.endMs);
    this.events.push(event);
    return event;
  }

  /**
   * Takes in another run's events (merge-reports, fleet): each moved by `offsetMs` onto this
   * timeline's clock and tagged with its node. Past the event limit they are counted as dropped.
   */
  adopt(events: readonly TimelineEvent[], node: string, offsetMs: number, dropped = 0): void {
    this.dropped += dropped;
    const move = (ms: number): number => round(ms + offsetMs);
    for (const event of events) {
      if (this.events.length >= TIMELINE_MAX_EVENTS) {
        this.dropped += 1;
        continue;
      }
      const moved: TimelineEvent = { ...event, node, atMs: move(event.atMs) };
      if (event.endMs !== undefined) moved.endMs = move(event.endMs);
      if (event.ticks) moved.ticks = event.ticks.map(move);
      this.events.push(moved);
    }
  }

  /** Starts a span now; `end()` sets its end time, status and (optionally) a new label. */
  span(input: Omit<TimelineInput, 'endMs'>): TimelineSpan {
    const event = this.record(input);
    return {
      end: (status, detail, label) => {
        if (!event || event.endMs !== undefined) return;
        event.endMs = round(this.now());
        if (status) event.status = status;
        if (detail) event.detail = { ...event.detail, ...detail };
        if (label) event.label = label;
      },
    };
  }

  toJSON(): { events: TimelineEvent[]; dropped: number } {
    return { events: [...this.events].sort((a, b) => a.atMs - b.atMs), dropped: this.dropped };
  }
}

const round = (ms: number): number => Math.round(ms * 100) / 100;

const storage = new AsyncLocalStorage<Timeline>();

/** Runs `body` with `timeline` as the current one (the runner does this once per run). */
export function withTimeline<T>(timeline: Timeline, body: () => T): T {
  return storage.run(timeline, body);
}

const nowhere = new Timeline();
nowhere.record = () => undefined;

/** The timeline of the run this code is part of; outside a run, one that keeps nothing. */
export function currentTimeline(): Timeline {
  return storage.getStore() ?? nowhere;
}
