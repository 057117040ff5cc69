import { tryHttp } from '../lib/http/http-client.ts';
import { groupStates, isStopped } from '../lib/process/process-state.ts';
import { formatDuration } from '../lib/time/format-duration.ts';
import type { CheckedWorker } from './worker-under-test.ts';

/** How long the health route may take to answer once a request has timed out, before the worker counts as hung. */
export const HANG_PROBE_TIMEOUT_MS = 2000;

/**
 * Evidence key of a timed-out wait on the health route itself whose last request got no answer
 * within `HANG_PROBE_TIMEOUT_MS` (and nothing answered after it): the hang probe's observation,
 * already made, so the diagnosis does not wait for it a second time.
 */
export const HEALTH_UNANSWERED = 'healthUnansweredMs';

/** Why a worker that is still running will answer no more requests, and what was observed. */
export interface WorkerHang {
  reason: string;
  evidence: Record<string, unknown>;
}

/**
 * Asked after a request to a running worker timed out: is the worker hung, or only slow? The
 * harness owns the process, so it reads its state first: a process of its group stopped (`T`:
 * SIGSTOP, SIGTSTP; `t`: a debugger) answers nothing until it is continued. Otherwise the health
 * route is asked once, with a short timeout: a worker that does not answer even that is hung (when
 * the wait that timed out was on the health route itself and its last request went as long
 * unanswered, that observation is used instead of waiting for the same one again).
 * Undefined when the worker still answers (a slow generation, not a hang). A worker the harness
 * did not start (`--url`) has no process to read: only its health route is asked.
 */
export async function diagnoseHang(worker: CheckedWorker, timedOut?: { evidence: Record<string, unknown> }): Promise<WorkerHang | undefined> {
  const pid = (worker.guard as { pid?: number }).pid;
  const states = pid === undefined ? [] : groupStates(pid);
  const stopped = states.filter(isStopped);
  if (stopped.length > 0) {
    const who = stopped.map((p) => `pid ${p.pid} (${p.name})`).join(', ');
    return {
      reason: `the worker is stopped: ${who} in state ${stopped[0]?.state} (${stopped[0]?.state === 't' ? 'held by a debugger' : 'SIGSTOP or SIGTSTP'}), so it answers nothing until it gets SIGCONT`,
      evidence: { processStates: states },
    };
  }
  if (!worker.healthPath) return undefined;
  const url = `${worker.baseUrl}${worker.healthPath}`;
  const unanswered = timedOut?.evidence[HEALTH_UNANSWERED];
  let healthProbe: Record<string, unknown>;
  if (typeof unanswered === 'number' && unanswered >= HANG_PROBE_TIMEOUT_MS) {
    healthProbe = { url, failure: { kind: 'timeout', message: `no answer within ${formatDuration(unanswered)}` }, observedBy: 'the timed-out wait on the health route (its last request)' };
  } else {
    const probe = await tryHttp(url, { timeoutMs: HANG_PROBE_TIMEOUT_MS, headers: worker.headers });
    if (probe.ok || probe.failure.kind !== 'timeout') return undefined;
    healthProbe = { url, failure: probe.failure, observedBy: 'a health request after the timeout' };
  }
  return {
    reason: `the worker is hung: it is running (${states.map((p) => `pid ${p.pid} state ${p.state}`).join(', ') || (pid === undefined ? 'a remote worker: state unknown' : 'state unknown')}) but GET ${worker.healthPath} got no answer within ${formatDuration(HANG_PROBE_TIMEOUT_MS)}`,
    evidence: { processStates: states, healthProbe },
  };
}
