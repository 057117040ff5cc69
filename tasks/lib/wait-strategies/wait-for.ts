import { HarnessError } from '../errors/harness-error.ts';
import type { ExitInfo } from '../process/process-guard.ts';
import { formatDuration } from '../time/format-duration.ts';
import { sleepUnlessAborted } from '../time/sleep.ts';

/** What a probe reports on each attempt. */
export type ProbeResult<T> = { ready: true; value: T; observed?: string } | { ready: false; observed: string; /** poll again after this long instead of the normal backoff */ retryAfterMs?: number };

export interface ProbeContext {
  attempt: number;
  /** Aborted when the wait is over (timeout, process exit): pass it on to requests. */
  signal: AbortSignal;
  /** Time left before the wait times out. */
  remainingMs: number;
}

export type Probe<T> = (context: ProbeContext) => Promise<ProbeResult<T>>;

/** Anything whose exit should end a wait at once: a `ProcessGuard`. */
export interface ExitWatch {
  readonly name: string;
  readonly exitInfo: ExitInfo | undefined;
  readonly settled: Promise<ExitInfo>;
  exitedError(waitingFor: string, tailLines?: number): HarnessError;
}

export interface WaitOptions {
  /** What is waited for, completing "waiting for …": `worker /v1/health to answer 200`. */
  description: string;
  timeoutMs: number;
  /** First pause between attempts. */
  initialIntervalMs?: number;
  /** Backoff stops growing here. */
  maxIntervalMs?: number;
  backoffFactor?: number;
  /** Processes whose exit fails the wait immediately (with their log tail). */
  failFastOn?: readonly ExitWatch[];
  /** Log lines to attach when a process exits. */
  tailLines?: number;
  signal?: AbortSignal;
}

export interface WaitOutcome<T> {
  value: T;
  elapsedMs: number;
  attempts: number;
  observed: string[];
}

export const WAIT_DEFAULTS = { initialIntervalMs: 5, maxIntervalMs: 100, backoffFactor: 1.5 } as const;

/**
 * Polls `probe` until it reports ready. Starts fast (5 ms) and backs off to at most 100 ms.
 * Fails immediately when a watched process exits, and on timeout says what it waited for, for
 * how long, and what it saw last. A probe may throw a `HarnessError` to fail the wait early.
 */
export async function waitFor<T>(probe: Probe<T>, options: WaitOptions): Promise<WaitOutcome<T>> {
  const started = performance.now();
  const deadline = started + options.timeoutMs;
  const controller = new AbortController();
  const stopSignal = options.signal ? AbortSignal.any([controller.signal, options.signal]) : controller.signal;
  const watches = options.failFastOn ?? [];
  const history: string[] = [];
  let lastObserved = 'nothing (no attempt finished)';
  let attempts = 0;
  let interval = options.initialIntervalMs ?? WAIT_DEFAULTS.initialIntervalMs;
  const maxInterval = options.maxIntervalMs ?? WAIT_DEFAULTS.maxIntervalMs;
  const factor = options.backoffFactor ?? WAIT_DEFAULTS.backoffFactor;

  const exitedFirst = (): ExitWatch | undefined => watches.find((watch) => watch.exitInfo !== undefined);
  const exitError = (watch: ExitWatch): HarnessError => watch.exitedError(options.description, options.tailLines);
  const timeoutError = (): HarnessError =>
    new HarnessError('WAIT_TIMEOUT', `timed out after ${formatDuration(options.timeoutMs)} waiting for ${options.description} (${attempts} attempt${attempts === 1 ? '' : 's'}); last observed: ${lastObserved}`, {
      evidence: { waitedMs: Math.round(performance.now() - started), attempts, lastObserved, recentObservations: history.slice(-10) },
    });

  // One promise that rejects when the wait must end for a reason outside the probe.
  let rejectInterrupt: (error: HarnessError) => void = () => undefined;
  const interrupted = new Promise<never>((_, reject) => (rejectInterrupt = reject));
  interrupted.catch(() => undefined);
  const timer = setTimeout(() => rejectInterrupt(timeoutError()), Math.max(0, options.timeoutMs));
  for (const watch of watches) {
    void watch.settled.then(() => rejectInterrupt(exitError(watch)));
  }
  options.signal?.addEventListener('abort', () => rejectInterrupt(new HarnessError('WAIT_ABORTED', `stopped waiting for ${options.description}`)), { once: true });

  try {
    for (;;) {
      const exited = exitedFirst();
      if (exited) {
        await exited.settled; // let the last output lines arrive before quoting them
        throw exitError(exited);
      }
      attempts += 1;
      const result = await Promise.race([probe({ attempt: attempts, signal: stopSignal, remainingMs: deadline - performance.now() }), interrupted]);
      if (result.ready) {
        if (result.observed) history.push(result.observed);
        return { value: result.value, elapsedMs: performance.now() - started, attempts, observed: history };
      }
      lastObserved = result.observed;
      history.push(result.observed);
      if (history.length > 50) history.shift();
      const pause = result.retryAfterMs ?? interval;
      await Promise.race([sleepUnlessAborted(Math.min(pause, Math.max(0, deadline - performance.now())), stopSignal), interrupted]);
      interval = Math.min(interval * factor, maxInterval);
    }
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}
