import { HarnessError, isHarnessError } from '../../errors/harness-error.ts';
import { shutdownAbortSignal } from '../../process/guard-registry.ts';
import { sleepUnlessAborted } from '../../time/sleep.ts';
import { waitForEvent } from '../../wait-strategies/wait-for.ts';
import type { FaultProxy } from '../../fault-proxy/fault-proxy.ts';
import type { ProcessGuard } from '../../process/process-guard.ts';
import type { Role } from '../probe-outcome.ts';
import type { ChatLedger, ChatMessage } from './chat-ledger.ts';

/** A subject of a WebSocket kind: the harness's chat end, the fault proxy on the path, and the process. */
export interface ChatSubject {
  role: Role;
  /** `bot`, `service`: names the subject in details. */
  noun: string;
  chat: ChatLedger;
  proxy: FaultProxy;
  guard: ProcessGuard | undefined;
  /** ms from spawn to the first connection. */
  connectMs?: number;
  /** Set when the process exited without the harness asking it to. */
  crash?: SubjectCrash;
}

/** A subject process that exited on its own: how, when (run clock and uptime), and its last log line. */
export interface SubjectCrash {
  code: number | null;
  signal: string | null;
  /** ms since the run started. */
  atMs: number;
  uptimeMs: number;
  lastLine: string;
  /** In words: "exited with code 1 at 12.3 s (after 4.5 s running); last log line: …". */
  detail: string;
}

/** Processes the harness stopped on purpose (a probe, or the end of the run): their exit is no crash. */
const stoppedOnPurpose = new WeakSet<ProcessGuard>();

export function stoppedByHarness(guard: ProcessGuard): boolean {
  return stoppedOnPurpose.has(guard);
}

/** Stops the subject's process on purpose (its exit is then not a crash). */
export async function stopSubject(subject: ChatSubject, graceMs?: number) {
  const guard = subject.guard;
  if (!guard) throw new Error(`the ${subject.role} ${subject.noun} is not running`);
  if (subject.crash) throw new Error(`the ${subject.role} ${subject.noun} ${subject.crash.detail}`);
  stoppedOnPurpose.add(guard);
  return await guard.stop(graceMs === undefined ? {} : { graceMs });
}

/** Stops the subject at the end of the run, whatever state it is in. */
export async function disposeSubjectProcess(subject: ChatSubject): Promise<void> {
  if (!subject.guard) return;
  stoppedOnPurpose.add(subject.guard);
  await subject.guard.stop();
}

const POLL_MS = 10;

/**
 * Waits until `condition` returns a value: woken by every chat event and by traffic through the
 * proxy, and polled every 10 ms for what only the proxy's sockets see (a side that closed). Returns undefined when the time is up;
 * throws when the subject's process exits meanwhile.
 */
export async function until<T>(subject: ChatSubject, description: string, timeoutMs: number, condition: () => T | undefined): Promise<T | undefined> {
  try {
    const outcome = await waitForEvent(
      () => {
        const value = condition();
        return value === undefined ? { ready: false, observed: 'not yet' } : { ready: true, value };
      },
      (onChange) => {
        const unsubscribe = subject.chat.subscribe(onChange);
        const unsubscribeProxy = subject.proxy.subscribe(onChange);
        const timer = setInterval(onChange, POLL_MS);
        return () => {
          unsubscribe();
          unsubscribeProxy();
          clearInterval(timer);
        };
      },
      { description, timeoutMs, failFastOn: subject.guard ? [subject.guard] : [], signal: shutdownAbortSignal() },
    );
    return outcome.value;
  } catch (error) {
    if (isHarnessError(error) && error.code === 'WAIT_TIMEOUT') return undefined;
    throw error;
  }
}

/** Waits for the subject's answer to `message`; the reply time in ms, or undefined. */
export async function answered(subject: ChatSubject, message: ChatMessage, timeoutMs: number): Promise<number | undefined> {
  const at = await until(subject, `the ${subject.role} ${subject.noun} to answer ${message.id}`, timeoutMs, () => message.answeredMs);
  return at === undefined ? undefined : at - message.sentMs;
}

/**
 * The idle period of a probe: the condition under test (a connection left alone), so it is a
 * plain wait by design; it ends early if the subject exits.
 */
export async function idle(subject: ChatSubject, ms: number): Promise<void> {
  const controller = new AbortController();
  const exited = subject.guard?.exited.then(() => controller.abort());
  await sleepUnlessAborted(ms, AbortSignal.any([controller.signal, shutdownAbortSignal()]));
  void exited;
  if (shutdownAbortSignal().aborted) throw new HarnessError('WAIT_ABORTED', 'stopped idling: the harness is shutting down');
  if (subject.guard && !subject.guard.running) throw subject.guard.exitedError('an idle period to pass');
}
