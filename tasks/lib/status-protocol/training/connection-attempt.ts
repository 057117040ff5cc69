import { isHarnessError, type HarnessError } from '../../errors/harness-error.ts';
import { SessionFailure } from '../status-failure.ts';
import { ACCEPT_THEN_CLOSE_FIX, CLOSE_BEFORE_ACCEPT } from './refusal-explanation.ts';
import type { StreamMessage } from './stream-message.ts';
import { TrainingStreamClient, type TrainingStreamOptions } from './training-stream-client.ts';

/** What became of one connection attempt on a training stream. */
export type AttemptOutcome =
  /** The upgrade was answered with an HTTP status (FastAPI closing before accept answers 403). */
  | { kind: 'refused-http'; status: number; body: string; elapsedMs: number }
  /** Accepted, then closed by the server, perhaps after an error message. */
  | { kind: 'refused-close'; code: number; reason: string; messages: StreamMessage[]; elapsedMs: number }
  /** Accepted and streaming. */
  | { kind: 'streaming'; client: TrainingStreamClient; first: StreamMessage; elapsedMs: number }
  /** Accepted, and then nothing: no message and no close within the wait. */
  | { kind: 'silent'; client: TrainingStreamClient; elapsedMs: number }
  | { kind: 'unreachable'; error: HarnessError; elapsedMs: number };

/** A first message that is an error rather than progress: the server refuses with a message, then closes. */
function isErrorMessage(message: StreamMessage): boolean {
  const status = message.value?.status;
  return message.value !== undefined && ('error' in message.value || 'detail' in message.value || status === 'error' || status === 'failed');
}

/** The refusal's words: close reason, error message, HTTP body. */
export function refusalText(outcome: AttemptOutcome): string {
  if (outcome.kind === 'refused-http') return outcome.body.trim();
  if (outcome.kind !== 'refused-close') return '';
  const said = outcome.messages.map((message) => String(message.value?.error ?? message.value?.detail ?? '')).filter(Boolean);
  return [outcome.reason, ...said].filter((text) => text.trim() !== '').join(' / ');
}

/** A refusal that said nothing: what happened and (for a bare HTTP 403: a close before accept) the fix. */
export function refusalWithoutWords(outcome: AttemptOutcome, what: string): { message: string; hint?: string } {
  if (outcome.kind === 'refused-http' && outcome.status === 403 && outcome.body.trim() === '') return { message: `${what} was refused, but ${CLOSE_BEFORE_ACCEPT}`, hint: ACCEPT_THEN_CLOSE_FIX };
  return { message: `${what} was refused without a reason (${describeAttempt(outcome)})` };
}

export function describeAttempt(outcome: AttemptOutcome): string {
  switch (outcome.kind) {
    case 'refused-http':
      return `upgrade answered HTTP ${outcome.status}${outcome.body ? ` ${JSON.stringify(outcome.body.slice(0, 120))}` : ' (no body)'}`;
    case 'refused-close':
      return `accepted, then closed ${outcome.code}${outcome.reason ? ` ${JSON.stringify(outcome.reason)}` : ' (no reason)'}${outcome.messages.length ? ` after ${outcome.messages.length} message(s): ${outcome.messages.map((m) => m.text.slice(0, 100)).join(' | ')}` : ''}`;
    case 'streaming':
      return `accepted and streaming (${outcome.first.text.slice(0, 100)})`;
    case 'silent':
      return 'accepted, then silent: no message and no close';
    case 'unreachable':
      return `[${outcome.error.code}] ${outcome.error.message}`;
  }
}

/**
 * Opens a stream and waits (up to the per-message timeout) to see what the server does with it:
 * refuses the upgrade, accepts and closes (with a reason, perhaps after an error message),
 * streams, or leaves an open socket silent. A streaming or silent client is handed back open.
 */
export async function attemptConnection(options: TrainingStreamOptions): Promise<AttemptOutcome> {
  const started = performance.now();
  const elapsed = (): number => performance.now() - started;
  let client: TrainingStreamClient;
  try {
    client = await TrainingStreamClient.open(options);
  } catch (error) {
    if (!isHarnessError(error)) throw error;
    if (error.code === SessionFailure.connectFailed && typeof error.evidence.httpStatus === 'number') {
      return { kind: 'refused-http', status: error.evidence.httpStatus, body: String(error.evidence.body ?? ''), elapsedMs: elapsed() };
    }
    return { kind: 'unreachable', error, elapsedMs: elapsed() };
  }
  let first: StreamMessage | undefined;
  try {
    first = await client.messageAt(0, 'a first message or a close');
  } catch {
    return { kind: 'silent', client, elapsedMs: elapsed() };
  }
  if (first && !isErrorMessage(first)) return { kind: 'streaming', client, first, elapsedMs: elapsed() };
  // An error message (or nothing): the close should follow.
  const close = client.closeInfo ?? (await Promise.race([client.closed(), new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), options.messageTimeoutMs).unref())]));
  if (!close) return first ? { kind: 'streaming', client, first, elapsedMs: elapsed() } : { kind: 'silent', client, elapsedMs: elapsed() };
  return { kind: 'refused-close', code: close.code, reason: close.reason, messages: [...client.messages], elapsedMs: elapsed() };
}
