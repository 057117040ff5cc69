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
