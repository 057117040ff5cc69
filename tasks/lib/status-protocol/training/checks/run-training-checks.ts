import type { RunReport } from '../../../report/run-report.ts';
import { runStatusChecks } from '../../checks/run-status-checks.ts';
import { isHarnessError } from '../../../errors/harness-error.ts';
import { exitWords, watchExit } from '../../../process/exit-watch.ts';
import type { TrainingCheck, TrainingCheckState } from '../training-state.ts';
import { clientDisconnect } from './client-disconnect.ts';
import { clientsConnect } from './clients-connect.ts';
import { connectionCap } from './connection-cap.ts';
import { endToEndLatency } from './end-to-end-latency.ts';
import { finalMessage, jobOutcome } from './final-message.ts';
import { identicalSequences } from './identical-sequences.ts';
import { messageSchema } from './message-schema.ts';
import { restFallback } from './rest-fallback.ts';
import { streamStall } from './stream-stall.ts';
import { unknownJob } from './unknown-job.ts';
import { updateInterval } from './update-interval.ts';

/**
 * The checks of `status-protocol:test --protocol training`, in the order they run: the ones that
 * act while the job runs first (the watchers keep reading in the background), then the ones that
 * judge the recorded streams once they ended.
 */
export const TRAINING_CHECKS: readonly TrainingCheck[] = [unknownJob, clientsConnect, clientDisconnect, connectionCap, streamStall, messageSchema, updateInterval, endToEndLatency, identicalSequences, finalMessage, jobOutcome, restFallback];

/** A stream the server dropped without a close frame (1006): perhaps its process died. */
function anyStreamDropped(state: TrainingCheckState): boolean {
  return state.opened.some((client) => client.dropped);
}

/**
 * A check of a server the harness owns, watched: if the server exits during it (or before it, unseen),
 * the check fails as PROCESS_EXITED (exit status, when, last log line) instead of as whatever the
 * lost streams look like (1006 refusals, stalls, a missing final message); the checks after it are
 * skipped with that reason.
 */
export function watchedCheck(check: TrainingCheck, state: TrainingCheckState): TrainingCheck {
  const guard = state.guard;
  if (!guard) return check;
  const what = `the "${check.name}" check`;
  const exited = (error: unknown): never => {
    if (isHarnessError(error) && error.code === 'PROCESS_EXITED') state.serverExit ??= `${exitWords(guard)} during "${check.name}"`;
    throw error;
  };
  return {
    name: check.name,
    skipReason: async (current) => (current.serverExit ? `the server process had exited (${current.serverExit}): nothing left to judge` : guard.running ? await check.skipReason?.(current) : undefined),
    ...(check.prepare ? { prepare: check.prepare } : {}),
    async run(current) {
      if (!guard.running) exited(guard.exitedError(`${what} to start`));
      return await watchExit(guard, what, () => check.run(current), { suspect: () => anyStreamDropped(current), connectionLost: () => anyStreamDropped(current) }).catch(exited);
    },
  };
}

export async function runTrainingChecks(report: RunReport, state: TrainingCheckState, checks: readonly TrainingCheck[] = TRAINING_CHECKS): Promise<void> {
  await runStatusChecks(report, state, checks.map((check) => watchedCheck(check, state)));
}
