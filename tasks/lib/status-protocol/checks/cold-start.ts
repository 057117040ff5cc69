import { HarnessError, toHarnessError } from '../../errors/harness-error.ts';
import { formatDuration } from '../../time/format-duration.ts';
import { diagnoseGap } from '../gap-diagnosis.ts';
import type { PingOutcome } from '../keepalive-evidence.ts';
import { SessionClient } from '../session-client.ts';
import { sessionOptions } from '../status-target.ts';
import { describeExit } from '../../process/process-guard.ts';
import type { StatusCheck, StatusCheckState } from './check-state.ts';

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
      const failure = await withServerExit(state, toHarnessError(error));
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
      timeToReadyFrom: 'the socket open event, as the harness saw it',
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
      await state.cold.client.pingSettled(); // a blocked server answers the ping only after ready
      const found = diagnoseGap(log, gap, ready.statusFrames, { ...limits, pingIntervalMs: target.timing.pingIntervalMs, pingTimeoutMs: target.timing.pingTimeoutMs });
      throw new HarnessError(
        'STATUS_GAP_ABOVE_KEEPALIVE',
        `ready after ${formatDuration(ready.timeToReadyMs)}, but no frame came for ${gapText} (#${gap.from.seq} ${gap.from.summary} → #${gap.to.seq} ${gap.to.summary}), above the keepalive of ${formatDuration(keepaliveMs)}. ${found.frames}; ${found.pings}. ${found.breaks}.`,
        { evidence: { ...evidence, diagnosis: found.diagnosis, pings: found.pingEvidence.pings.map(roundPing), pongs: found.pingEvidence.verdict, lastObserved: `largest gap ${gapText}` }, hint: found.hint },
      );
    }
    if (ready.statusFrames.length === 0) {
      return {
        detail: `ready ${formatDuration(ready.timeToReadyMs)} after the socket opened, with no waiting or loading frame: no load was seen on this session, so status updates during a load were not tested (to test them, pass a --model this server has to load)`,
        evidence: { ...evidence, loadObserved: false },
      };
    }
    const seen = counts.map(([status, n]) => `${n} ${status}`).join(', ');
    return {
      detail: `ready ${formatDuration(ready.timeToReadyMs)} after the harness saw the socket open (the server starts loading when it accepts the connection, which can be earlier, so this can be a little shorter than the load), after ${seen} frame${ready.statusFrames.length === 1 ? '' : 's'}; largest gap ${gapText}, under the keepalive (${formatDuration(keepaliveMs)}) and the per-message timeout (${formatDuration(messageTimeoutMs)})`,
      evidence: { ...evidence, loadObserved: true },
    };
  },
};

/** How long a dropped connection (1006) waits for the owned server's exit status, to name the signal or code. */
const EXIT_STATUS_WAIT_MS = 1000;

/**
 * A session dropped without a close frame on a server the harness owns: the kernel closes the
 * socket a moment before the exit is reported, so wait for the exit status and say it (killed by
 * SIGKILL, exit code 1) instead of "crashed or was killed".
 */
async function withServerExit(state: StatusCheckState, failure: HarnessError): Promise<HarnessError> {
  const guard = state.owned?.guard;
  if (!guard || failure.evidence.diagnosis !== 'crash') return failure;
  const exit = await Promise.race([guard.exited, new Promise<undefined>((resolve) => setTimeout(resolve, EXIT_STATUS_WAIT_MS, undefined).unref())]);
  if (!exit) return failure;
  const message = failure.message.replace('the server crashed or was killed during loading', `the server process ${describeExit(exit)} during loading`);
  return new HarnessError(failure.code, message === failure.message ? `${failure.message}; the server process ${describeExit(exit)}` : message, { evidence: { ...failure.evidence, exit }, ...(failure.hint ? { hint: failure.hint } : {}), cause: failure });
}

function roundPing(ping: PingOutcome): PingOutcome {
  const round = (ms: number | undefined): number | undefined => (ms === undefined ? undefined : Math.round(ms * 10) / 10);
  return { sentMs: round(ping.sentMs) ?? 0, ...(ping.pongMs === undefined ? {} : { pongMs: round(ping.pongMs), delayMs: round(ping.delayMs) }) };
}
