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
}

export type TimelineInput = Omit<TimelineEvent, 'atMs'> & { atMs?: number };

/** An open span: `end()` closes it with the outcome. */
export interface TimelineSpan {
  end(status?: TimelineStatus, detail?: Record<string, unknown>, label?: string): void;
}

/** Events kept per run; past this the oldest probe ticks are the ones worth losing, so new events are counted, not kept. */
export const TIMELINE_MAX_EVENTS = 20_000;

export class Timeline {
  readonly events: TimelineEvent[] = [];
  dropped = 0;

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
    if (this.events.length >= TIMELINE_MAX_EVENTS) {
      this.dropped += 1;
      return undefined;
    }
    const event: TimelineEvent = { ...input, atMs: round(input.atMs ?? this.now()) };
    if (input.endMs !== undefined) event.endMs = round(input.endMs);
    this.events.push(event);
    return event;
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
