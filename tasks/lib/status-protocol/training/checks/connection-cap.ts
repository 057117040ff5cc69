import { HarnessError } from '../../../errors/harness-error.ts';
import { formatDuration } from '../../../time/format-duration.ts';
import { attemptConnection, describeAttempt, refusalText, refusalWithoutWords, type AttemptOutcome } from '../connection-attempt.ts';
import { readConnectionCount } from '../connection-count.ts';
import { isFinal, statusOf, type StreamMessage } from '../stream-message.ts';
import type { TrainingStreamClient } from '../training-stream-client.ts';
import { authHeaders, needsRunningJob, streamOptions, type TrainingCheck, type TrainingCheckState } from '../training-state.ts';

/** One attempt of the fill, sorted by what it shows about the cap. */
type Sorted =
  /** Accepted and open (streaming progress, or silent): counts against the cap while it stays open. */
  | { kind: 'held'; client: TrainingStreamClient; outcome: AttemptOutcome }
  /** Got only the final message (and a close): the job was over; no evidence either way. */
  | { kind: 'ended'; final: StreamMessage; outcome: AttemptOutcome }
  | { kind: 'refused'; outcome: AttemptOutcome };

function finalOf(outcome: AttemptOutcome): StreamMessage | undefined {
  if (outcome.kind === 'streaming' && isFinal(outcome.first)) return outcome.first;
  if (outcome.kind === 'refused-close') return outcome.messages.find(isFinal);
  return undefined;
}

function sort(outcome: AttemptOutcome): Sorted {
  if (outcome.kind === 'unreachable') throw outcome.error;
  const final = finalOf(outcome);
  if (final) return { kind: 'ended', final, outcome };
  if (outcome.kind === 'streaming' || outcome.kind === 'silent') return { kind: 'held', client: outcome.client, outcome };
  return { kind: 'refused', outcome };
}

/**
 * The most connections that were open on the job at one moment: the ones held before the fill
 * (`before`, valid until a watcher's stream closed) plus the fill's accepted clients open at the
 * moment each of them opened. A client accepted after the others were closed (the job ended) does
 * not add to them.
 */
function mostOpenTogether(state: TrainingCheckState, before: number, held: readonly TrainingStreamClient[]): number {
  const watcherCloses = state.observers.map(({ client }) => client.closeInfo?.atMs).filter((at): at is number => at !== undefined);
  const baseAt = (t: number): number => Math.max(0, before - watcherCloses.filter((at) => at <= t).length);
  const spans = held.map((client) => ({ from: client.log.opened?.atMs ?? 0, to: client.closeInfo?.atMs ?? Infinity }));
  let most = baseAt(0);
  for (const { from } of spans) most = Math.max(most, baseAt(from) + spans.filter((span) => span.from <= from && from < span.to).length);
  return most;
}

/**
 * Fills the job up to the cap (`--max-connections`, counting what the server already counts) with
 * all the connections opened at once (one update period, not one per connection) and one more:
 * the server must refuse one of them, with a reason. Decided only from connections that were
 * really open together: one that only received the final message and a close (the job ended
 * during the fill) is no evidence against the cap, and a fill the job's end cut short is not judged.
 */
export const connectionCap: TrainingCheck = {
  name: 'connection cap',
  skipReason: needsRunningJob,
  async run(state) {
    const { target } = state;
    const cap = target.maxConnections;
    const counted = await readConnectionCount(target.baseUrl, target.jobId, authHeaders(target));
    const watching = state.observers.filter((observer) => observer.client.open).length;
    const current = counted?.count ?? watching;
    const attempts = Math.max(1, cap - current + 1);
    const started = performance.now();
    const settled = await Promise.allSettled(Array.from({ length: attempts }, (_, n) => attemptConnection(streamOptions(target, `cap-${current + n + 1}`))));
    const fillMs = performance.now() - started;
    const outcomes = settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    const heldClients = outcomes.flatMap((outcome) => (outcome.kind === 'streaming' || outcome.kind === 'silent' ? [outcome.client] : []));
    state.opened.push(...heldClients);
    let sorted: Sorted[];
    let together: number;
    try {
      const failed = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected');
      if (failed) throw failed.reason;
      sorted = outcomes.map(sort);
      together = mostOpenTogether(state, current, sorted.flatMap((entry) => (entry.kind === 'held' ? [entry.client] : [])));
    } finally {
      await Promise.allSettled(heldClients.map((client) => client.close()));
    }
    const held = sorted.filter((entry) => entry.kind === 'held');
    const ended = sorted.filter((entry): entry is Extract<Sorted, { kind: 'ended' }> => entry.kind === 'ended');
    const refusal = sorted.find((entry) => entry.kind === 'refused')?.outcome;
    const jobEnd = ended[0]?.final ?? state.observers.map(({ client }) => client.messages.find(isFinal)).find((message) => message !== undefined);
    const base = `${current} connection(s) before (${counted ? counted.source : `the ${watching} watching clients; the server shows no count`})`;
    const evidence: Record<string, unknown> = {
      cap,
      countedBefore: counted?.count ?? null,
      held: watching,
      attempts,
      fillMs: Math.round(fillMs),
      accepted: held.length,
      gotOnlyTheFinalMessage: ended.length,
      mostOpenTogether: together,
      refusal: refusal ? describeAttempt(refusal) : null,
    };
    const ending = jobEnd ? `the job ended (${statusOf(jobEnd) ?? 'final message'}) while the cap was being filled` : undefined;
    if (!refusal) {
      if (together > cap) {
        throw new HarnessError('CONNECTION_CAP_NOT_ENFORCED', `the server accepted connection #${together} on job ${target.jobId}, above the cap of ${cap}: ${base} + ${held.length} accepted, all open together, none refused`, {
          evidence,
          hint: `refuse the connection after the cap: accept it, then close with 1013 (or 1008) and a reason such as "connection limit reached for job … (${cap} per job)"`,
        });
      }
      const why = ending ?? 'accepted connections closed before the others opened';
      return {
        notJudged: true,
        detail: `not judged: ${why}, so at most ${together} connection(s) were open together (cap ${cap}; ${base} + ${held.length} accepted${ended.length ? `; ${ended.length} got only the final message and a close, which says nothing about the cap` : ''}); none was refused, and none went above the cap`,
        evidence,
      };
    }
    const total = together + 1;
    const text = refusalText(refusal);
    if (text === '') {
      const words = refusalWithoutWords(refusal, `connection #${total} (over the cap of ${cap})`);
      const reason = `"connection limit reached for job ${target.jobId} (${cap} per job)"`;
      throw new HarnessError('CAP_REFUSAL_UNCLEAR', words.message, { evidence, hint: words.hint ? `${words.hint}, e.g. code 1013 and reason ${reason}` : `say why in the close reason: ${reason}` });
    }
    const early = total <= cap && !ending ? ` — earlier than --max-connections ${cap}: the server's cap is ${total - 1}` : '';
    return { detail: `connection #${total} refused (cap ${cap}; ${base} + ${held.length} accepted, opened together in ${formatDuration(fillMs)}): ${describeAttempt(refusal)}${early}${ending ? `; ${ending}` : ''}`, evidence: { ...evidence, refusedAt: total } };
  },
};
