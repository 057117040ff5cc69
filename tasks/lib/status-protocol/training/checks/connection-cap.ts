import { HarnessError } from '../../../errors/harness-error.ts';
import { attemptConnection, describeAttempt, refusalText, type AttemptOutcome } from '../connection-attempt.ts';
import { readConnectionCount } from '../connection-count.ts';
import { isFinal } from '../stream-message.ts';
import type { TrainingStreamClient } from '../training-stream-client.ts';
import { authHeaders, needsRunningJob, streamOptions, type TrainingCheck } from '../training-state.ts';

/**
 * Fills the job up to the cap (`--max-connections`, counting what the server already counts) and
 * opens one more: that one must be refused, with a reason. The extra clients are closed after.
 */
export const connectionCap: TrainingCheck = {
  name: 'connection cap',
  skipReason: needsRunningJob,
  async run(state) {
    const { target } = state;
    const cap = target.maxConnections;
    const counted = await readConnectionCount(target.baseUrl, target.jobId, authHeaders(target));
    const held = state.observers.filter((observer) => observer.client.open).length;
    const current = counted?.count ?? held;
    const attempts = Math.max(1, cap - current + 1);
    const extras: TrainingStreamClient[] = [];
    let refusal: AttemptOutcome | undefined;
    try {
      for (let n = 1; n <= attempts && !refusal; n += 1) {
        const outcome = await attemptConnection(streamOptions(target, `cap-${current + n}`));
        if (outcome.kind === 'streaming' || outcome.kind === 'silent') {
          extras.push(outcome.client);
          state.opened.push(outcome.client);
        } else if (outcome.kind === 'unreachable') {
          throw outcome.error;
        } else {
          refusal = outcome;
        }
      }
    } finally {
      await Promise.allSettled(extras.map((client) => client.close()));
    }
    const base = `${current} connection(s) before (${counted ? counted.source : `the ${held} watching clients; the server shows no count`})`;
    const evidence: Record<string, unknown> = { cap, countedBefore: counted?.count ?? null, held, accepted: extras.length, refusal: refusal ? describeAttempt(refusal) : null };
    if (!refusal) {
      throw new HarnessError('CONNECTION_CAP_NOT_ENFORCED', `the server accepted connection #${current + extras.length} on job ${target.jobId}, above the cap of ${cap}: ${base} + ${extras.length} accepted, none refused`, {
        evidence,
        hint: 'refuse the connection after the cap: close with 1013 (or 1008) and a reason such as "connection limit reached for job …"',
      });
    }
    if (refusal.kind === 'refused-close' && refusal.messages.some(isFinal)) {
      throw new HarnessError('JOB_ENDED_DURING_CHECK', `the job ended while the cap was being filled (${describeAttempt(refusal)}): use a longer job`, { evidence });
    }
    const total = current + extras.length + 1;
    const text = refusalText(refusal);
    if (text === '') throw new HarnessError('CAP_REFUSAL_UNCLEAR', `connection #${total} was refused without a reason (${describeAttempt(refusal)})`, { evidence, hint: 'say why in the close reason: "connection limit reached (10 per job)"' });
    const early = total <= cap ? ` — earlier than --max-connections ${cap}: the server's cap is ${total - 1}` : '';
    return { detail: `connection #${total} refused (cap ${cap}; ${base} + ${extras.length} accepted): ${describeAttempt(refusal)}${early}`, evidence: { ...evidence, refusedAt: total } };
  },
};
