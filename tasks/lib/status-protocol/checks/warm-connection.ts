import { HarnessError } from '../../errors/harness-error.ts';
import { formatDuration } from '../../time/format-duration.ts';
import { SessionClient, type ReadyInfo } from '../session-client.ts';
import { sessionOptions } from '../status-target.ts';
import { needsReadySession, type StatusCheck } from './check-state.ts';

export const WARM_READY_LIMIT_MS = 1000;

/** Status frames of a session in one phrase: `1 loading frame ("Loading policy alpha...") 1 ms before ready`. */
function describeFrames(ready: ReadyInfo): string {
  const frames = ready.statusFrames;
  const first = frames[0];
  if (!first) return 'no status frame';
  const statuses = [...new Set(frames.map((frame) => frame.status))].join('/');
  const beforeReady = ready.timeToReadyMs - (frames.at(-1)?.sinceOpenMs ?? 0);
  return `${frames.length} ${statuses} frame${frames.length === 1 ? '' : 's'} (first: "${first.message}") ${formatDuration(beforeReady)} before ready`;
}

/**
 * A second session on the loaded model is `ready` at once (< 1 s): the model was reused. Judged
 * by the time to `ready`: some servers send a `loading` frame on every new session even when the
 * model is cached, immediately followed by `ready`, which the protocol allows.
 */
export const warmConnection: StatusCheck = {
  name: 'warm connection',
  skipReason: needsReadySession,
  async run(state) {
    const client = await SessionClient.open(sessionOptions(state.target, 'warm'));
    state.opened.push(client);
    const ready = await client.waitReady();
    state.warm = { client, ready };
    const frames = describeFrames(ready);
    const evidence = { timeToReadyMs: Math.round(ready.timeToReadyMs), connectMs: Math.round(ready.connectMs), statusFrames: ready.statusFrames.length, limitMs: WARM_READY_LIMIT_MS, ...client.log.toEvidence(40) };
    const cold = state.cold?.ready;
    if (ready.timeToReadyMs > WARM_READY_LIMIT_MS) {
      const coldText = cold ? ` (the cold start took ${formatDuration(cold.timeToReadyMs)})` : '';
      const loaded = ready.statusFrames.some((frame) => frame.status === 'loading') ? ', with loading frames: the server loaded the model again instead of reusing the loaded one' : '';
      throw new HarnessError('WARM_SLOW', `the second session on the loaded model took ${formatDuration(ready.timeToReadyMs)} to get ready${coldText}, above ${formatDuration(WARM_READY_LIMIT_MS)}, after ${frames}${loaded}`, {
        evidence,
        hint: 'keep the loaded model and answer ready at once for a new session on it',
      });
    }
    const note = ready.statusFrames.length > 0 ? ' (the protocol allows a loading frame on every session; the time to ready shows no load happened)' : '';
    const seen = ready.statusFrames.length > 0 ? `after ${frames}` : 'with no status frame';
    // "Reused" only when the first session was seen loading it; otherwise say what was observed.
    const coldLoaded = cold !== undefined && cold.statusFrames.length > 0;
    const verdict = coldLoaded ? 'the loaded model was reused' : 'no load on this session (none was seen on the first one either, so there was no load to reuse)';
    return { detail: `ready ${formatDuration(ready.timeToReadyMs)} after open (connect ${formatDuration(ready.connectMs)}), ${seen}: ${verdict}${note}`, evidence };
  },
};
