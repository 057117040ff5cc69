import { HarnessError, isHarnessError } from '../../errors/harness-error.ts';
import { formatDuration } from '../../time/format-duration.ts';
import { defaultObservation, inspectResult } from '../observation.ts';
import { needsReadySession, type StatusCheck } from './check-state.ts';

/** On the cold-start session: one observation in, a result out that decodes with the right shapes. */
export const inferenceAfterReady: StatusCheck = {
  name: 'inference after ready',
  skipReason: needsReadySession,
  async run(state) {
    const cold = state.cold;
    if (!cold) throw new Error('unreachable: skipped without a ready session');
    const reply = await cold.client.infer(defaultObservation());
    if (!reply.ok) {
      throw new HarnessError('INFERENCE_FAILED', `the server answered a valid observation with an error: ${reply.error}`, { evidence: { error: reply.error, latencyMs: Math.round(reply.latencyMs), ...cold.client.log.toEvidence(20) } });
    }
    let detail: string;
    try {
      detail = inspectResult(reply.result, cold.ready.meta).detail;
    } catch (error) {
      if (isHarnessError(error)) state.resultFailure = error;
      throw error;
    }
    return { detail: `result decoded in ${formatDuration(reply.latencyMs)}: ${detail}`, evidence: { latencyMs: Math.round(reply.latencyMs), ...cold.client.log.toEvidence(20) } };
  },
};
