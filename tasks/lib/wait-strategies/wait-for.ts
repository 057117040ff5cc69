import type { HarnessError } from '../errors/harness-error.ts';
import { WaitScope, type ExitWatch, type ScopeOptions } from './wait-scope.ts';

export type { ExitWatch } from './wait-scope.ts';

/** What a probe reports on each attempt. */
export type ProbeResult<T> =
  | { ready: true; value: T; observed?: string }
  | {
      ready: false;
      observed: string;
      /** poll again after this long instead of the normal backoff */
      retryAfterMs?: number;
      /**
       * Poll again after this long instead of the normal backoff, still woken by a printed line:
       * a probe that is cheap while nothing has changed (a refused TCP connect) may run this often.
       */
      pollAfterMs?: number;
      /**
       * The attempt saw nothing about the service: its request was cut short by the wait's own
       * deadline. Kept in the history, but the last real observation stays what the wait reports.
       */
      cutShort?: boolean;
    };

export interface ProbeContext {
  attempt: number;
  /** Aborted when the wait is over (timeout, process exit): pass it on to requests. */
  signal: AbortSignal;
  /** Time left before the wait times out. */
  remainingMs: number;
}

export type Probe<T> = (context: ProbeContext) => Promise<ProbeResult<T>>;

export interface WaitOptions extends ScopeOptions {
  /** First pause between attempts. */
  initialIntervalMs?: number;
  /** Backoff stops growing here. */
  maxIntervalMs?: number;
  backoffFactor?: number;
  /** Probe again as soon as a watched process prints a line (default true). */
  wakeOnOutput?: boolean;
}

export interface WaitOutcome<T> {
  value: T;
  elapsedMs: number;
  attempts: number;
  observed: string[];
}

/**
 * Poll from 2 ms, backing off to 10 ms: a readiness change of a server that logs nothing is seen
 * within ~10 ms. On loopback that is cheap: a refused connect costs the server nothing (the kernel
 * answers) and a "not ready" answer is one small request per 10 ms (`npm run bench -- readiness`).
 */
export const WAIT_DEFAULTS = { initialIntervalMs: 2, maxIntervalMs: 10, backoffFactor: 1.5 } as const;

async function failIfExited(scope: WaitScope): Promise<void> {
  const exited: ExitWatch | undefined = scope.exited();
  if (!exited) return;
  await exited.settled; // let the last output lines arrive before quoting them
  throw scope.exitError(exited) satisfies HarnessError;
}

/**
 * Polls `probe` until it reports ready. Starts fast (2 ms) and backs off to at most 10 ms, and
 * probes again at once when a watched process prints a line. Fails immediately when a watched
 * process exits, and on timeout says what it waited for, for how long, and what it saw last.
 * A probe may throw a `HarnessError` to fail the wait early.
 */
export async function waitFor<T>(probe: Probe<T>, options: WaitOptions): Promise<WaitOutcome<T>> {
  using scope = new WaitScope(options);
  let interval = options.initialIntervalMs ?? WAIT_DEFAULTS.initialIntervalMs;
  const maxInterval = options.maxIntervalMs ?? WAIT_DEFAULTS.maxIntervalMs;
  const factor = options.backoffFactor ?? WAIT_DEFAULTS.backoffFactor;
  let wake: () => void = () => undefined;
  const stopListening = options.wakeOnOutput === false ? () => undefined : scope.onActivity(() => wake());
  try {
    for (;;) {
      await failIfExited(scope);
      scope.attempts += 1;
      const result = await Promise.race([probe({ attempt: scope.attempts, signal: scope.signal, remainingMs: scope.remainingMs }), scope.interrupted]);
      if (result.ready) {
        if (result.observed) scope.history.push(result.observed);
        return { value: result.value, elapsedMs: scope.elapsedMs, attempts: scope.attempts, observed: scope.history };
      }
      scope.observe(result.observed, { real: result.cutShort !== true });
      const pause = Math.min(result.retryAfterMs ?? result.pollAfterMs ?? interval, Math.max(0, scope.remainingMs));
      // Error back-off (retryAfterMs) is not cut short: N consecutive errors must span N pauses.
      // A plain timer (no abort listener): a timeout, an exit or an abort ends the wait through
      // `scope.interrupted`, and the timer is cleared either way. Cheap, as a poll runs up to 500×/s.
      let timer: NodeJS.Timeout | undefined;
      const slept = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, pause);
        if (result.retryAfterMs === undefined) wake = resolve;
      });
      try {
        await Promise.race([slept, scope.interrupted]);
      } finally {
        clearTimeout(timer);
        wake = () => undefined;
      }
      interval = Math.min(interval * factor, maxInterval);
    }
  } finally {
    stopListening();
  }
}

/**
 * Event-driven wait: checks `condition` now and again each time `subscribe` reports a change,
 * with the same timeout, fail-fast and error messages as `waitFor`. No polling.
 */
export async function waitForEvent<T>(
  condition: () => ProbeResult<T>,
  subscribe: (onChange: () => void) => () => void,
  options: ScopeOptions,
): Promise<WaitOutcome<T>> {
  using scope = new WaitScope(options);
  let wake: () => void = () => undefined;
  const unsubscribe = subscribe(() => wake());
  try {
    for (;;) {
      await failIfExited(scope);
      const changed = new Promise<void>((resolve) => (wake = resolve));
      scope.attempts += 1;
      const result = condition();
      if (result.ready) return { value: result.value, elapsedMs: scope.elapsedMs, attempts: scope.attempts, observed: scope.history };
      scope.observe(result.observed);
      await Promise.race([changed, scope.interrupted]);
    }
  } finally {
    unsubscribe();
  }
}
