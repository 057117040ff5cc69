import { tryHttp } from '../lib/http/http-client.ts';
import { groupStates, isStopped } from '../lib/process/process-state.ts';
import { formatDuration } from '../lib/time/format-duration.ts';
import type { CheckedWorker } from './worker-under-test.ts';

/** How long the health route may take to answer once a request has timed out, before the worker counts as hung. */
export const HANG_PROBE_TIMEOUT_MS = 2000;

/** Why a worker that is still running will answer no more requests, and what was observed. */
export interface WorkerHang {
  reason: string;
  evidence: Record<string, unknown>;
}

/**
 * Asked after a request to a running worker timed out: is the worker hung, or only slow? The
 * harness owns the process, so it reads its state first: a process of its group stopped (`T`:
 * SIGSTOP, SIGTSTP; `t`: a debugger) answers nothing until it is continued. Otherwise the health
 * route is asked once, with a short timeout: a worker that does not answer even that is hung.
 * Undefined when the worker still answers (a slow generation, not a hang). A worker the harness
 * did not start (`--url`) has no process to read: only its health route is asked.
 */
export async function diagnoseHang(worker: CheckedWorker): Promise<WorkerHang | undefined> {
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
  const probe = await tryHttp(url, { timeoutMs: HANG_PROBE_TIMEOUT_MS, headers: worker.headers });
  if (probe.ok || probe.failure.kind !== 'timeout') return undefined;
  return {
    reason: `the worker is hung: it is running (${states.map((p) => `pid ${p.pid} state ${p.state}`).join(', ') || (pid === undefined ? 'a remote worker: state unknown' : 'state unknown')}) but GET ${worker.healthPath} got no answer within ${formatDuration(HANG_PROBE_TIMEOUT_MS)}`,
    evidence: { processStates: states, healthProbe: { url, failure: probe.failure } },
  };
}
