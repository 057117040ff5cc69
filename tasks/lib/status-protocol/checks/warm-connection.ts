import { HarnessError } from '../../errors/harness-error.ts';
import { formatDuration } from '../../time/format-duration.ts';
import { SessionClient } from '../session-client.ts';
import { sessionOptions } from '../status-target.ts';
import { needsReadySession, type StatusCheck } from './check-state.ts';

export const WARM_READY_LIMIT_MS = 1000;

/** A second session on the loaded model is `ready` at once (< 1 s) without a `loading` frame. */
export const warmConnection: StatusCheck = {
  name: 'warm connection',
  skipReason: needsReadySession,
  async run(state) {
    const client = await SessionClient.open(sessionOptions(state.target, 'warm'));
    state.opened.push(client);
    const ready = await client.waitReady();
    state.warm = { client, ready };
    const evidence = { timeToReadyMs: Math.round(ready.timeToReadyMs), connectMs: Math.round(ready.connectMs), statusFrames: ready.statusFrames.length, ...client.log.toEvidence(40) };
    const first = ready.statusFrames[0];
    if (first) {
      throw new HarnessError('WARM_NOT_READY', `the second session got ${ready.statusFrames.length} status frame(s) before ready (first: ${first.status} "${first.message}"): the loaded model was not reused`, { evidence });
    }
    if (ready.timeToReadyMs > WARM_READY_LIMIT_MS) {
      throw new HarnessError('WARM_SLOW', `the second session took ${formatDuration(ready.timeToReadyMs)} to get ready (limit ${formatDuration(WARM_READY_LIMIT_MS)})`, { evidence });
    }
    return { detail: `ready ${formatDuration(ready.timeToReadyMs)} after open (connect ${formatDuration(ready.connectMs)}), no loading frame`, evidence };
  },
};
