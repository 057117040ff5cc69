import type { RunReport } from '../../../report/run-report.ts';
import { runStatusChecks } from '../../checks/run-status-checks.ts';
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

export async function runTrainingChecks(report: RunReport, state: TrainingCheckState, checks: readonly TrainingCheck[] = TRAINING_CHECKS): Promise<void> {
  await runStatusChecks(report, state, checks);
}
