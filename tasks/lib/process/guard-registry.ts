import { setMaxListeners } from 'node:events';
import { constants } from 'node:os';
import { releaseWatchdog } from './group-record.ts';
import { signalGroup } from './process-groups.ts';

/**
 * Every live guard is listed here so that a SIGINT/SIGTERM/SIGHUP to the harness tears down
 * everything it started before the harness exits, and so that even an abrupt `process.exit()`
 * SIGKILLs the groups that are left.
 */
export interface Stoppable {
  readonly name: string;
  readonly pid: number;
  stop(): Promise<unknown>;
}

type ShutdownHook = (signal: NodeJS.Signals) => void | Promise<void>;

const live = new Set<Stoppable>();
const hooks = new Set<ShutdownHook>();
let installed = false;
let starting: Promise<unknown> | undefined;
let shuttingDown: NodeJS.Signals | undefined;
const shutdownController = new AbortController();
// Every request, stream and wait of a run listens on it at once (e2e on many nodes: dozens), each
// removing its listener when done: not a leak, so no MaxListenersExceededWarning.
setMaxListeners(0, shutdownController.signal);

export function trackGuard(guard: Stoppable): void {
  installSignalTeardown();
  live.add(guard);
}

export function untrackGuard(guard: Stoppable): void {
  live.delete(guard);
}

/** The signal the harness is shutting down on, if any (set before anything is stopped). */
export function shutdownSignal(): NodeJS.Signals | undefined {
  return shuttingDown;
}

/**
 * Aborted as soon as the harness receives SIGINT/SIGTERM/SIGHUP, before any process is stopped:
 * in-flight requests, streams and sessions pass it on so that they end first (a server that will not
 * exit while a stream is open then exits on SIGTERM), and waits stop at once instead of reading the
 * teardown they caused as the subject's failure.
 */
export function shutdownAbortSignal(): AbortSignal {
  return shutdownController.signal;
}

export function liveGuards(): readonly Stoppable[] {
  return [...live];
}

/**
 * Runs after the processes are stopped on a signal, before the harness exits: the runner uses
 * it to write the (interrupted) report. Returns a function that removes the hook.
 */
export function onShutdown(hook: ShutdownHook): () => void {
  hooks.add(hook);
  return () => hooks.delete(hook);
}

/**
 * The harness process is starting a run that writes its own report (it installs its shutdown hook
 * once it gets there): a signal that comes while no hook is installed yet waits for the run to end
 * (no check starts once the harness is stopping, so it ends at once and writes an interrupted
 * report) instead of exiting with no report at all. Installs the signal handlers now.
 */
export function startingRun(run: Promise<unknown>): void {
  starting = run;
  installSignalTeardown();
}

export async function stopAllGuards(): Promise<void> {
  await Promise.allSettled([...live].map((guard) => guard.stop()));
}

function killAllNow(): void {
  for (const guard of live) signalGroup(guard.pid, 'SIGKILL');
}

async function handleSignal(signal: NodeJS.Signals): Promise<void> {
  const code = 128 + (constants.signals[signal] ?? 1);
  if (shuttingDown) {
    // A second Ctrl-C: no more grace.
    killAllNow();
    process.exit(code);
  }
  shuttingDown = signal;
  shutdownController.abort(new Error(`interrupted by ${signal}`));
  await new Promise((resolve) => setImmediate(resolve)); // let aborted sockets close before the processes get SIGTERM
  const pending = [...hooks]; // a hook may be removed while the guards stop; it still runs
  const names = [...live].map((guard) => `${guard.name} (pid ${guard.pid})`);
  if (names.length) process.stderr.write(`\nhivecheck: received ${signal}; stopping ${names.join(', ')}\n`);
  await stopAllGuards();
  // No hook yet: a run that is starting writes its interrupted report itself (it sees the signal); wait for it.
  if (pending.length === 0) await starting?.catch(() => undefined);
  for (const hook of pending) {
    try {
      await hook(signal);
    } catch (error) {
      process.stderr.write(`hivecheck: shutdown hook failed: ${String(error)}\n`);
    }
  }
  await releaseWatchdog();
  process.exit(code);
}

export function installSignalTeardown(): void {
  if (installed) return;
  installed = true;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => void handleSignal(signal));
  }
  // Last resort for paths that never reach a dispose (process.exit in a library, fatal errors).
  process.on('exit', killAllNow);
}
