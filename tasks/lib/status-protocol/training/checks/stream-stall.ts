import { formatDuration } from '../../../time/format-duration.ts';
import { needsRunningStream, settleEnds, type TrainingCheck } from '../training-state.ts';

/** Every watcher's stream runs to its end without a silence longer than `--message-timeout`. */
export const streamStall: TrainingCheck = {
  name: 'stream stall',
  skipReason: needsRunningStream,
  async run(state) {
    const ends = await settleEnds(state);
    const stalled = ends.find((end) => end.stalled)?.stalled;
    if (stalled) throw stalled;
    const longest = Math.max(...state.observers.map(({ client }) => Math.max(0, ...client.messages.slice(1).map((message, index) => message.atMs - (client.messages[index]?.atMs ?? message.atMs)))));
    const ended = ends.map((end) => (end.final ? String(end.final.value?.status) : end.close ? `closed ${end.close.code}` : '?'));
    return { detail: `${ends.length} streams ran to their end (${[...new Set(ended)].join(', ')}); longest silence ${formatDuration(longest)}, under the per-message timeout of ${formatDuration(state.target.timing.messageTimeoutMs)}`, evidence: { longestSilenceMs: Math.round(longest), messageTimeoutMs: state.target.timing.messageTimeoutMs } };
  },
};
