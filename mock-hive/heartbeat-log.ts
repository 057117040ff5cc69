import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { currentTimeline, type TimelineStatus } from '../tasks/lib/report/timeline.ts';
import type { ExitWatch } from '../tasks/lib/wait-strategies/wait-for.ts';
import { waitForEvent } from '../tasks/lib/wait-strategies/wait-for.ts';
import type { Heartbeat, HeartbeatVersion, RejectedHeartbeat } from './heartbeat.ts';

const clock = (epochMs: number): string => new Date(epochMs).toTimeString().slice(0, 8);

/** Colour of a heartbeat on the run timeline, by the state it reports. */
const STATE_STATUS: Record<string, TimelineStatus> = { Loading: 'info', Ready: 'ok', Idle: 'ok', Busy: 'ok', healthy: 'ok', Draining: 'warn', Stopping: 'warn', Stopped: 'warn', Failed: 'error', unhealthy: 'error' };

/**
 * Everything the hive received, in order: accepted heartbeats (with arrival times) and rejected
 * ones (with the reason). Tests subscribe to it and read back counts, intervals and state
 * transitions; people read its log lines: `[10:54:23] Heartbeat #1 from worker: w-1 State: Ready`.
 */
export class HeartbeatLog {
  readonly #beats: Heartbeat[] = [];
  readonly #rejected: RejectedHeartbeat[] = [];
  readonly #lines: string[] = [];
  readonly #listeners = new Set<() => void>();
  /** The run this hive belongs to (taken when it starts): each heartbeat goes on its timeline, lane `hive`. */
  readonly #timeline = currentTimeline();

  constructor(readonly file?: string) {
    if (file) mkdirSync(dirname(file), { recursive: true });
  }

  #line(text: string): void {
    this.#lines.push(text);
    if (this.file) appendFileSync(this.file, `${text}\n`);
    for (const listener of this.#listeners) listener();
  }

  record(version: HeartbeatVersion, route: string, workerId: string, state: string, body: Record<string, unknown>, workerTimestamp?: string): Heartbeat {
    const beat: Heartbeat = { seq: this.#beats.length + 1, version, route, workerId, state, receivedAt: Date.now(), monotonicMs: performance.now(), body };
    if (workerTimestamp !== undefined) beat.workerTimestamp = workerTimestamp;
    this.#beats.push(beat);
    this.#timeline.record({ lane: 'hive', kind: 'heartbeat', label: state, status: STATE_STATUS[state] ?? 'info', atMs: this.#timeline.at(beat.monotonicMs), detail: { seq: beat.seq, worker: workerId, route, version } });
    this.#line(`[${clock(beat.receivedAt)}] Heartbeat #${beat.seq} from worker: ${workerId} ${version === 'seed' ? 'State' : 'Health'}: ${state}`);
    return beat;
  }

  /** A line about the hive itself (a worker spawned, exited, stopped), in the same log. */
  note(text: string): void {
    this.#line(`[${clock(Date.now())}] ${text}`);
  }

  reject(route: string, status: number, reason: string): void {
    const entry: RejectedHeartbeat = { route, status, reason, receivedAt: Date.now() };
    this.#rejected.push(entry);
    this.#timeline.record({ lane: 'hive', kind: 'heartbeat', label: `rejected ${status}`, status: 'error', detail: { route, status, reason } });
    this.#line(`[${clock(entry.receivedAt)}] Rejected heartbeat on ${route} (${status}): ${reason}`);
  }

  /** Accepted heartbeats, optionally of one worker. */
  heartbeats(workerId?: string): Heartbeat[] {
    return workerId === undefined ? [...this.#beats] : this.#beats.filter((beat) => beat.workerId === workerId);
  }

  rejected(): RejectedHeartbeat[] {
    return [...this.#rejected];
  }

  count(workerId?: string): number {
    return this.heartbeats(workerId).length;
  }

  /** Milliseconds between consecutive heartbeats of a worker (arrival times, monotonic clock). */
  intervalsMs(workerId: string): number[] {
    const beats = this.heartbeats(workerId);
    return beats.slice(1).map((beat, i) => beat.monotonicMs - (beats[i] as Heartbeat).monotonicMs);
  }

  /** The worker's states with repeats collapsed: `['Loading', 'Ready']`. */
  transitions(workerId: string): string[] {
    const states: string[] = [];
    for (const beat of this.heartbeats(workerId)) if (states.at(-1) !== beat.state) states.push(beat.state);
    return states;
  }

  workerIds(): string[] {
    return [...new Set(this.#beats.map((beat) => beat.workerId))];
  }

  /** Log lines as printed, oldest first. */
  lines(): string[] {
    return [...this.#lines];
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Waits, event-driven, until `count` heartbeats (optionally matching `where`) have arrived
   * from `workerId`; fails at once if a watched process exits, and on timeout says how many came.
   */
  async waitForHeartbeats(
    workerId: string,
    count: number,
    options: { timeoutMs: number; failFastOn?: readonly ExitWatch[]; where?: (beat: Heartbeat) => boolean; what?: string },
  ): Promise<Heartbeat[]> {
    const matching = (): Heartbeat[] => this.heartbeats(workerId).filter(options.where ?? (() => true));
    const what = options.what ?? `heartbeat${count === 1 ? '' : 's'}`;
    const outcome = await waitForEvent<Heartbeat[]>(
      () => {
        const beats = matching();
        if (beats.length >= count) return { ready: true, value: beats };
        const others = this.workerIds().filter((id) => id !== workerId);
        return {
          ready: false,
          observed: `${beats.length} of ${count} ${what} from ${workerId}${others.length ? ` (heartbeats also came from: ${others.join(', ')})` : ''}${this.#rejected.length ? `; ${this.#rejected.length} rejected, last: ${this.#rejected.at(-1)?.reason}` : ''}`,
        };
      },
      (onChange) => this.subscribe(onChange),
      { description: `${count} ${what} from worker ${workerId} at the mock hive`, timeoutMs: options.timeoutMs, failFastOn: options.failFastOn },
    );
    return outcome.value;
  }
}
