import { HarnessError } from '../errors/harness-error.ts';
import { shutdownAbortSignal } from '../process/guard-registry.ts';
import type { ExitInfo } from '../process/process-guard.ts';
import { formatDuration } from '../time/format-duration.ts';

/** Anything whose exit should end a wait at once: a `ProcessGuard`. */
export interface ExitWatch {
  readonly name: string;
  readonly exitInfo: ExitInfo | undefined;
  readonly settled: Promise<ExitInfo>;
  /** `waitedMs`: how long the wait had run when the process exited. */
  exitedError(waitingFor: string, tailLines?: number, waitedMs?: number): HarnessError;
  /** Output lines of the process: a poll wakes early when one arrives (a "listening" line). */
  onLine?(listener: () => void): () => void;
}

export interface ScopeOptions {
  /** What is waited for, completing "waiting for …": `worker /v1/health to answer 200`. */
  description: string;
  timeoutMs: number;
  /** Processes whose exit fails the wait immediately (with their log tail). */
  failFastOn?: readonly ExitWatch[];
  /** Log lines to attach when a process exits. */
  tailLines?: number;
  signal?: AbortSignal;
}

/**
 * The bounds every wait shares: a deadline, fail-fast on process exit, an outside abort.
 * `interrupted` rejects with the right `HarnessError` as soon as one of them fires; race it
 * against whatever the wait is doing. Close the scope when the wait is over.
 */
export class WaitScope implements Disposable {
  readonly started = performance.now();
  readonly deadline: number;
  readonly interrupted: Promise<never>;
  /** Aborted when the scope ends for any reason: pass it on to requests. */
  readonly signal: AbortSignal;
  lastObserved = 'nothing (no attempt finished)';
  attempts = 0;
  readonly history: string[] = [];
  readonly #controller = new AbortController();
  readonly #timer: NodeJS.Timeout;
  readonly #options: ScopeOptions;

  constructor(options: ScopeOptions) {
    this.#options = options;
    this.deadline = this.started + options.timeoutMs;
    const shutdown = shutdownAbortSignal();
    this.signal = AbortSignal.any([this.#controller.signal, shutdown, ...(options.signal ? [options.signal] : [])]);
    let reject: (error: HarnessError) => void = () => undefined;
    this.interrupted = new Promise<never>((_, fail) => (reject = fail));
    this.interrupted.catch(() => undefined);
    this.#timer = setTimeout(() => reject(this.timeoutError()), Math.max(0, options.timeoutMs));
    for (const watch of options.failFastOn ?? []) void watch.settled.then(() => reject(this.exitError(watch)));
    // Removed when the scope closes: the outside signal may be long-lived (the shutdown signal), shared by every wait.
    options.signal?.addEventListener('abort', () => reject(new HarnessError('WAIT_ABORTED', `stopped waiting for ${options.description}`)), { once: true, signal: this.#controller.signal });
    const onShutdown = (): void => reject(new HarnessError('WAIT_ABORTED', `stopped waiting for ${options.description}: the harness is being interrupted`));
    if (shutdown.aborted) onShutdown();
    else shutdown.addEventListener('abort', onShutdown, { once: true, signal: this.#controller.signal });
  }

  get remainingMs(): number {
    return this.deadline - performance.now();
  }

  get elapsedMs(): number {
    return performance.now() - this.started;
  }

  /**
   * Records what an attempt saw. Only a real observation (an answer, a refused connection, a
   * request that used its whole own timeout) becomes `lastObserved`, the evidence a timeout reports.
   */
  observe(observation: string, options: { real?: boolean } = {}): void {
    if (options.real !== false || this.history.length === 0) this.lastObserved = observation;
    this.history.push(observation);
    if (this.history.length > 50) this.history.shift();
  }

  /** A watched process that has already exited, if any. */
  exited(): ExitWatch | undefined {
    return this.#options.failFastOn?.find((watch) => watch.exitInfo !== undefined);
  }

  exitError(watch: ExitWatch): HarnessError {
    return watch.exitedError(this.#options.description, this.#options.tailLines, this.elapsedMs);
  }

  timeoutError(): HarnessError {
    const { attempts } = this;
    return new HarnessError(
      'WAIT_TIMEOUT',
      `timed out after ${formatDuration(this.#options.timeoutMs)} waiting for ${this.#options.description} (${attempts} attempt${attempts === 1 ? '' : 's'}); last observed: ${this.lastObserved}`,
      { evidence: { waitedMs: Math.round(this.elapsedMs), attempts, lastObserved: this.lastObserved, recentObservations: this.history.slice(-10) } },
    );
  }

  /**
   * Calls `listener` when a watched process prints a line: readiness usually follows a log line
   * ("listening on …"), so a poll can try again at once instead of sleeping out its backoff.
   */
  onActivity(listener: () => void): () => void {
    const unsubscribers = (this.#options.failFastOn ?? []).map((watch) => watch.onLine?.(listener) ?? (() => undefined));
    return () => unsubscribers.forEach((unsubscribe) => unsubscribe());
  }

  [Symbol.dispose](): void {
    clearTimeout(this.#timer);
    this.#controller.abort();
  }
}
