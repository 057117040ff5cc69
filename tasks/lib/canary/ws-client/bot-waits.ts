import { HarnessError, isHarnessError } from '../../errors/harness-error.ts';
import { shutdownAbortSignal } from '../../process/guard-registry.ts';
import { sleepUnlessAborted } from '../../time/sleep.ts';
import { waitForEvent } from '../../wait-strategies/wait-for.ts';
import type { BotSubject } from './bot-subject.ts';
import type { ChatMessage } from './chat-server.ts';

const POLL_MS = 10;

/**
 * Waits until `condition` returns a value: woken by every chat event, and polled every 10 ms
 * for what only the proxy sees (a socket the bot closed). Returns undefined when the time is up;
 * throws when the bot process exits meanwhile.
 */
export async function until<T>(subject: BotSubject, description: string, timeoutMs: number, condition: () => T | undefined): Promise<T | undefined> {
  try {
    const outcome = await waitForEvent(
      () => {
        const value = condition();
        return value === undefined ? { ready: false, observed: 'not yet' } : { ready: true, value };
      },
      (onChange) => {
        const unsubscribe = subject.chat.subscribe(onChange);
        const timer = setInterval(onChange, POLL_MS);
        return () => {
          unsubscribe();
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

/** Waits for the bot's answer to `message`; the reply time in ms, or undefined. */
export async function answered(subject: BotSubject, message: ChatMessage, timeoutMs: number): Promise<number | undefined> {
  const at = await until(subject, `the ${subject.role} bot to answer ${message.id}`, timeoutMs, () => message.answeredMs);
  return at === undefined ? undefined : at - message.sentMs;
}

/**
 * The idle period of a probe: the condition under test (a connection left alone), so it is a
 * plain wait by design; it ends early if the bot exits.
 */
export async function idle(subject: BotSubject, ms: number): Promise<void> {
  const controller = new AbortController();
  const exited = subject.guard?.exited.then(() => controller.abort());
  await sleepUnlessAborted(ms, AbortSignal.any([controller.signal, shutdownAbortSignal()]));
  void exited;
  if (shutdownAbortSignal().aborted) throw new HarnessError('WAIT_ABORTED', 'stopped idling: the harness is shutting down');
  if (subject.guard && !subject.guard.running) throw subject.guard.exitedError('an idle period to pass');
}
