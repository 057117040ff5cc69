import { HarnessError, toHarnessError } from '../errors/harness-error.ts';
import type { ExitWatch } from '../wait-strategies/wait-scope.ts';

/** What can be watched: a `ProcessGuard`, or anything else whose exit is a promise (a remote worker's stand-in never exits). */
export type WatchedProcess = ExitWatch & {
  /** Resolves when the process exited, before its output has been read to the end (`settled` waits for both). */
  readonly exited?: Promise<unknown>;
};

/** How long a lost connection may precede the process's exit for the exit to be named as its cause. */
export const EXIT_AFTER_CONNECTION_LOSS_MS = 1000;

export interface ExitWatchOptions<T> {
  /** The error says the connection went away (reset, refused, closed 1006), not that the process answered badly. */
  connectionLost?: (error: HarnessError) => boolean;
  /** What the body saw may be the process's death (a stream closed 1006): wait briefly to see whether it exited. */
  suspect?: (value: T) => boolean;
}

/**
 * Resolves true when the process exits within `ms` (its exit, not the end of its output: a child
 * that inherited its stdout can hold that open long after).
 */
async function exitsWithin(guard: WatchedProcess, ms: number): Promise<boolean> {
  const exited = await Promise.race([(guard.exited ?? guard.settled).then(() => true), new Promise<false>((resolve) => setTimeout(resolve, ms, false).unref())]);
  // Its last lines may still be in the pipe: give them a moment, for the log tail the error quotes.
  if (exited) await Promise.race([guard.settled, new Promise((resolve) => setTimeout(resolve, OUTPUT_SETTLE_MS).unref())]);
  return exited;
}

/** How long an exit found this way waits for the process's last output lines. */
const OUTPUT_SETTLE_MS = 200;

/**
 * Runs `body` while watching a process the harness owns: if it exits meanwhile, the body's signal
 * is aborted and this rejects at once with PROCESS_EXITED (exit status, when, log tail); a lost
 * connection (or a result `suspect` flags) just before an exit is put down to that exit.
 */
export async function watchExit<T>(guard: WatchedProcess, what: string, body: (signal: AbortSignal) => Promise<T>, options: ExitWatchOptions<T> = {}): Promise<T> {
  const started = performance.now(); // the exit is timed from the watch's start, not the process's
  const controller = new AbortController();
  let exited: (error: HarnessError) => void = () => undefined;
  const exit = new Promise<never>((_, reject) => (exited = reject));
  exit.catch(() => undefined);
  void guard.settled.then(() => {
    controller.abort();
    exited(guard.exitedError(what, undefined, performance.now() - started));
  });
  try {
    const value = await Promise.race([body(controller.signal), exit]);
    if (options.suspect?.(value) && (await exitsWithin(guard, EXIT_AFTER_CONNECTION_LOSS_MS))) throw guard.exitedError(what, undefined, performance.now() - started);
    return value;
  } catch (thrown) {
    const error = toHarnessError(thrown);
    if (error.code === 'PROCESS_EXITED' || !options.connectionLost?.(error)) throw error;
    // The socket usually breaks a moment before the exit is reported: wait (briefly) to see.
    if (!(await exitsWithin(guard, EXIT_AFTER_CONNECTION_LOSS_MS))) throw error;
    const named = guard.exitedError(what, undefined, performance.now() - started);
    throw new HarnessError(named.code, named.message, { evidence: { ...named.evidence, connection: error.message }, ...(named.hint ? { hint: named.hint } : {}), cause: error });
  } finally {
    controller.abort();
  }
}

/** `killed by SIGKILL` / `code 1`: how an exited process ended, for a skip reason. */
export function exitWords(guard: Pick<ExitWatch, 'exitInfo'>): string {
  const exit = guard.exitInfo;
  return exit?.signal ? `killed by ${exit.signal}` : `code ${exit?.code}`;
}
