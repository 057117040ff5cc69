import { HarnessError, isHarnessError } from '../../errors/harness-error.ts';
import { signalGroup } from '../../process/process-groups.ts';
import { currentTimeline } from '../../report/timeline.ts';
import { formatDuration } from '../../time/format-duration.ts';
import { SessionClient } from '../session-client.ts';
import { SessionFailure } from '../status-failure.ts';
import { sessionOptions } from '../status-target.ts';
import type { FrameRecord } from '../frame-log.ts';
import { closeSessions, type StatusCheck, type StatusCheckState } from './check-state.ts';

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Why a fresh instance is not started: the cold start, itself the first session on a server the harness had just started, already showed it. */
const SAME_ON_A_FRESH_SERVER = 'a fresh server of the same command was not started to show the same again';

/**
 * The cold start ran where the fresh instance would: on a server the harness had just started.
 * When it showed that a session there loads nothing (ready without a status frame, an error
 * answer first, or a close with a code before any frame), the check is skipped with that
 * evidence instead of starting another server to see it again. A drop (1006) before any frame is
 * no such evidence (a crash may not repeat): then the fresh server is started as usual.
 */
function noLoadOnColdStart(state: StatusCheckState): string | undefined {
  if (state.cold) return state.cold.ready.statusFrames.length === 0 ? `the cold start was ready without a single status frame, so there was no load to crash (${SAME_ON_A_FRESH_SERVER})` : undefined;
  const evidence = state.coldFailure?.evidence;
  if (!evidence) return undefined;
  const first = ((evidence.frames as FrameRecord[] | undefined) ?? []).find((frame) => frame.direction === 'in');
  if (first && isMap(first.content) && first.content.status === 'error') {
    return `the cold start's session was answered with an error before loading anything (${JSON.stringify(String(first.content.error ?? ''))}), so no load started and there was nothing to crash (${SAME_ON_A_FRESH_SERVER})`;
  }
  const { closeCode, closeReason } = evidence;
  if (!first && typeof closeCode === 'number' && closeCode !== 1006) {
    return `the cold start's session was closed ${closeCode}${typeof closeReason === 'string' && closeReason ? ` ${JSON.stringify(closeReason)}` : ''} before any status frame, so no load started and there was nothing to crash (${SAME_ON_A_FRESH_SERVER})`;
  }
  return undefined;
}

/**
 * Only when the harness owns the server: stops it, starts a fresh (cold) instance, opens a
 * session, and SIGKILLs the server after the first status frame. The client must report a crash
 * (closed, 1006) within the per-message timeout: told apart from a slow load.
 */
export const crashDuringLoad: StatusCheck = {
  name: 'crash during loading',
  skipReason: (state) => (state.owned ? undefined : 'the harness does not own the server process (--url): it cannot kill it; run with --server-cmd or the reference server'),
  async prepare(state) {
    const owned = state.owned;
    if (!owned) return 'no server process';
    const known = noLoadOnColdStart(state);
    if (known) return known;
    await closeSessions(state);
    await owned.guard.stop(); // one server at a time (GPU memory), and the fresh one must be cold
    const server = await owned.relaunch('policy-server-crash');
    state.crash = { server };
    const client = await SessionClient.open(sessionOptions({ ...state.target, baseUrl: server.baseUrl }, 'crash'));
    state.opened.push(client);
    state.crash.client = client;
    let first: unknown;
    try {
      first = await client.peek();
    } catch (error) {
      // The session ended before a single frame: the load failed (or was refused) on its own.
      if (isHarnessError(error) && error.code === SessionFailure.closedDuringHandshake) return `the fresh server ended the session before any status frame (${error.message}), so no load started and there was nothing to crash`;
      throw error;
    }
    if (isMap(first) && first.status === 'ready') return 'the fresh server was ready without a single status frame, so there was no load to crash';
    if (isMap(first) && first.status === 'error') return `the fresh server answered the session with an error before loading anything (${JSON.stringify(String(first.error ?? ''))}), so no load started and there was nothing to crash`;
    return undefined;
  },
  async run(state) {
    const crash = state.crash;
    const client = crash?.client;
    if (!crash || !client) throw new Error('unreachable: run without prepare');
    const { messageTimeoutMs } = state.target.timing;
    const outcome = client.waitReady().then(
      () => undefined,
      (error: unknown) => error,
    );
    const killedAt = performance.now();
    currentTimeline().record({ lane: 'faults', kind: 'fault', label: `SIGKILL ${crash.server.guard.name} during loading`, status: 'warn', detail: { pid: crash.server.guard.pid, after: 'the first status frame' } });
    signalGroup(crash.server.guard.pid, 'SIGKILL');
    const error = await outcome;
    const detectedMs = performance.now() - killedAt;
    await crash.server.guard.stop();
    const evidence = { killedAfter: 'the first status frame', detectedMs: Math.round(detectedMs), messageTimeoutMs, ...client.log.toEvidence(40) };
    if (error === undefined) throw new HarnessError('CRASH_NOT_OBSERVED', 'the session became ready although the server was killed during loading', { evidence });
    if (!isHarnessError(error)) throw error;
    const full = { ...evidence, clientError: { code: error.code, message: error.message }, closeCode: error.evidence.closeCode, diagnosis: error.evidence.diagnosis };
    if (error.code === SessionFailure.messageTimeout) {
      throw new HarnessError('CRASH_NOT_DETECTED', `after the server was killed the client waited out the per-message timeout (${formatDuration(messageTimeoutMs)}): it cannot tell a crash from a slow load`, { evidence: full });
    }
    if (error.code !== SessionFailure.closedDuringHandshake || error.evidence.diagnosis !== 'crash') {
      throw new HarnessError('CRASH_MISREPORTED', `after the server was killed the client reported [${error.code}] ${error.message}, not a crash (closed 1006)`, { evidence: full });
    }
    if (detectedMs >= messageTimeoutMs) {
      throw new HarnessError('CRASH_DETECTED_LATE', `the crash was reported ${formatDuration(detectedMs)} after the kill, not within the per-message timeout (${formatDuration(messageTimeoutMs)})`, { evidence: full });
    }
    return {
      detail: `killed the server (SIGKILL) after the first status frame; the client reported a crash in ${formatDuration(detectedMs)} (closed ${String(error.evidence.closeCode)}, no close frame), not a slow load — within the per-message timeout of ${formatDuration(messageTimeoutMs)}`,
      evidence: full,
    };
  },
};
