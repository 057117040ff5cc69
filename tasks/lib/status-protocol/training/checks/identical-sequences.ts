import { HarnessError } from '../../../errors/harness-error.ts';
import { compareSequences } from '../stream-stats.ts';
import { needsStreams, settleEnds, type TrainingCheck } from '../training-state.ts';

/** Every watcher on the job receives the same messages in the same order (from the first one they all got). */
export const identicalSequences: TrainingCheck = {
  name: 'identical sequences',
  skipReason: (state) => needsStreams(state) ?? (state.observers.length < 2 ? 'needs at least two watching clients (--clients)' : undefined),
  async run(state) {
    await settleEnds(state);
    const clients = state.observers.map(({ client }) => ({ label: client.label, messages: client.messages }));
    const result = compareSequences(clients);
    const evidence = { common: result.common, skippedAtStart: result.skipped, messages: clients.map((client) => client.messages.length), mismatch: result.mismatch ?? null };
    if (!result.identical) {
      const mismatch = result.mismatch;
      const shown = mismatch ? mismatch.clients.map((label, index) => `${label}: ${(mismatch.contents[index] ?? '').slice(0, 160)}`).join(' | ') : '';
      throw new HarnessError('SEQUENCES_DIFFER', `the ${clients.length} clients' streams differ at message ${(mismatch?.position ?? 0) + 1} of the common part (${result.common} identical before it): ${shown}`, { evidence });
    }
    const skipped = result.skipped.some((count) => count > 0) ? ` (before it joined, each had ${result.skipped.join('/')} earlier message(s))` : '';
    return { detail: `${clients.length} clients received the same ${result.common} messages in the same order${skipped}`, evidence };
  },
};
