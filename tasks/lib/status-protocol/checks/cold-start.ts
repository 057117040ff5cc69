import { HarnessError, toHarnessError } from '../../errors/harness-error.ts';
import { formatDuration } from '../../time/format-duration.ts';
import { SessionClient } from '../session-client.ts';
import { sessionOptions } from '../status-target.ts';
import type { StatusCheck } from './check-state.ts';

/**
 * Opens the first session and runs the status loop: status frames seen, the largest gap between
 * frames (open → … → ready) against the keepalive and the per-message timeout, time to ready.
 * The ready session is kept for the checks that follow.
 */
export const coldStart: StatusCheck = {
  name: 'cold start',
  async run(state) {
    const { target } = state;
    const { keepaliveMs, messageTimeoutMs } = target.timing;
    const limits = { keepaliveMs, messageTimeoutMs };
    let client: SessionClient | undefined;
    try {
      client = await SessionClient.open(sessionOptions(target, 'cold-start'));
      state.opened.push(client);
      const ready = await client.waitReady();
      state.cold = { client, ready };
    } catch (error) {
      const failure = toHarnessError(error);
      Object.assign(failure.evidence, limits);
      state.coldFailure = failure;
      throw failure;
    }
    const { ready } = state.cold;
    const log = state.cold.client.log;
    const gap = ready.largestGap;
    const counts = ['waiting', 'loading'].map((status) => [status, ready.statusFrames.filter((frame) => frame.status === status).length] as const).filter(([, n]) => n > 0);
    const evidence = {
      ...limits,
      timeToReadyMs: Math.round(ready.timeToReadyMs),
      connectMs: Math.round(ready.connectMs),
      statusFrames: ready.statusFrames.length,
      largestGap: gap ?? null,
      largestGapMs: gap ? Math.round(gap.ms * 1000) / 1000 : null,
      meta: ready.meta,
      localPort: state.cold.client.localPort ?? null,
      ...log.toEvidence(),
    };
    const gapText = gap ? formatDuration(gap.ms) : 'none';
    if (gap && gap.ms > keepaliveMs) {
      throw new HarnessError(
        'STATUS_GAP_ABOVE_KEEPALIVE',
        `ready after ${formatDuration(ready.timeToReadyMs)} and ${ready.statusFrames.length} status frames, but the largest gap between frames was ${gapText} (${gap.from.summary} → ${gap.to.summary}), above the keepalive of ${formatDuration(keepaliveMs)}: the server's periodic updates have gaps above the keepalive (like the old elapsed % 5 bug), so a client with that keepalive can drop the connection during a long load`,
        { evidence: { ...evidence, diagnosis: 'gap-above-keepalive', lastObserved: `largest gap ${gapText}` }, hint: 'send a loading frame whenever the update interval has passed since the previous one (time-based), not when int(elapsed) % 5 == 0' },
      );
    }
    if (ready.statusFrames.length === 0) {
      return { detail: `ready ${formatDuration(ready.timeToReadyMs)} after open with no status frame: the model was already loaded, so no cold start was observed (restart the server to see one)`, evidence };
    }
    const seen = counts.map(([status, n]) => `${n} ${status}`).join(', ');
    return {
      detail: `ready in ${formatDuration(ready.timeToReadyMs)} after ${seen} frame${ready.statusFrames.length === 1 ? '' : 's'}; largest gap ${gapText}, under the keepalive (${formatDuration(keepaliveMs)}) and the per-message timeout (${formatDuration(messageTimeoutMs)})`,
      evidence,
    };
  },
};
