import { setTimeout as delay } from 'node:timers/promises';
import { isHarnessError, type HarnessError } from '../../errors/harness-error.ts';
import { inspectResult } from '../observation.ts';
import { isPidAlive } from '../../process/process-groups.ts';
import { describeExit, type ProcessGuard } from '../../process/process-guard.ts';
import type { CheckOutcome } from '../../report/run-report.ts';
import type { LaunchedServer } from '../policy-server-launcher.ts';
import type { ReadyInfo, SessionClient } from '../session-client.ts';
import type { StatusTarget } from '../status-target.ts';

export interface ReadySession {
  client: SessionClient;
  ready: ReadyInfo;
}

/** A server process the harness started: it may kill it, and start a fresh one. */
export interface OwnedServer {
  guard: ProcessGuard;
  /** Starts another instance of the same command (new port, cold model). */
  relaunch(name: string): Promise<LaunchedServer>;
}

/** What the checks of one run share: sessions opened by earlier checks are reused by later ones. */
export interface StatusCheckState {
  target: StatusTarget;
  owned?: OwnedServer | undefined;
  models?: string[];
  cold?: ReadySession;
  coldFailure?: HarnessError;
  warm?: ReadySession;
  provokedError?: { text: string; latencyMs: number };
  /** Why "inference after ready" found the result malformed: later checks do not fail again on the same root cause. */
  resultFailure?: HarnessError;
  crash?: { server: LaunchedServer; client?: SessionClient };
  /** Every session opened, closed by `closeSessions`. */
  opened: SessionClient[];
}

/**
 * One check of `status-protocol:test` (either protocol: `S` is its run state), written once and
 * run by the task and the Cucumber steps.
 * `skipReason` says why it cannot run at all; `prepare` does untimed setup that may still find a
 * reason to skip (its errors fail the check); `run` is the timed check.
 */
export interface StatusCheck<S = StatusCheckState> {
  name: string;
  skipReason?(state: S): string | undefined | Promise<string | undefined>;
  prepare?(state: S): Promise<string | undefined>;
  run(state: S): Promise<CheckOutcome>;
}

/**
 * Judges a result's shape for a check whose subject is something else (concurrency, an error
 * keeping the session open): a result malformed the way "inference after ready" already failed
 * is noted, not failed again (one root cause, one failure); anything new fails as usual.
 */
export function resultShape(state: StatusCheckState, result: unknown, meta: Record<string, unknown>): string {
  try {
    return inspectResult(result, meta).detail;
  } catch (error) {
    if (state.resultFailure && isHarnessError(error) && error.code === state.resultFailure.code) return `a result malformed as "inference after ready" reported [${error.code}], not judged again here`;
    throw error;
  }
}

export function newCheckState(target: StatusTarget, owned?: OwnedServer): StatusCheckState {
  return { target, owned, opened: [] };
}

/** How long a server that dropped a connection (1006) gets to show that its process is gone. */
const EXIT_GRACE_MS = 1000;

/** Why the server cannot be asked anything any more, if it is ours and exited. */
export async function serverGone(state: StatusCheckState): Promise<string | undefined> {
  const guard = state.owned?.guard;
  if (!guard) return undefined;
  if (guard.running && state.coldFailure?.evidence.diagnosis === 'crash') {
    // The kernel closes a killed process's sockets before it becomes a zombie: give it a moment.
    await Promise.race([guard.exited, delay(EXIT_GRACE_MS)]);
  }
  if (guard.exitInfo) return `the server process ${describeExit(guard.exitInfo)} during an earlier check`;
  return isPidAlive(guard.pid) ? undefined : 'the server process died during an earlier check';
}

/** Checks that need the cold-start session are skipped when it never became ready. */
export function needsReadySession(state: StatusCheckState): string | undefined {
  if (state.cold) return undefined;
  const why = state.coldFailure ? `[${state.coldFailure.code}]` : '(it did not run)';
  return `needs a ready session, and the cold start did not reach ready ${why}`;
}

export async function closeSessions(state: StatusCheckState): Promise<void> {
  await Promise.allSettled(state.opened.splice(0).map((client) => client.close()));
}
