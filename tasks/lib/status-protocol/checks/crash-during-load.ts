import { HarnessError, isHarnessError } from '../../errors/harness-error.ts';
import { signalGroup } from '../../process/process-groups.ts';
import { currentTimeline } from '../../report/timeline.ts';
import { formatDuration } from '../../time/format-duration.ts';
import { SessionClient } from '../session-client.ts';
import { SessionFailure } from '../status-failure.ts';
import { sessionOptions } from '../status-target.ts';
import { closeSessions, type StatusCheck } from './check-state.ts';

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
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
