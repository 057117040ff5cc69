import { HarnessError } from '../../errors/harness-error.ts';
import { formatDuration } from '../../time/format-duration.ts';
import { defaultObservation } from '../observation.ts';
import { needsReadySession, resultShape, type StatusCheck } from './check-state.ts';

/**
 * An observation the policy cannot use (`{}`) gets `{"error": ...}`, and the same session then
 * answers a valid observation: an inference error does not end the session.
 */
export const inferenceError: StatusCheck = {
  name: 'inference error keeps the session open',
  skipReason: needsReadySession,
  async prepare(state) {
    const cold = state.cold;
    if (!cold) return 'no ready session';
    const reply = await cold.client.infer({});
    if (reply.ok) return 'the server answered an empty observation with a result, so no inference error could be provoked';
    state.provokedError = { text: reply.error, latencyMs: reply.latencyMs };
    return undefined;
  },
  async run(state) {
    const cold = state.cold;
    const provoked = state.provokedError;
    if (!cold || !provoked) throw new Error('unreachable: run without prepare');
    const next = await cold.client.infer(defaultObservation(7));
    if (!next.ok) throw new HarnessError('INFERENCE_FAILED', `after the error "${provoked.text}" the session answered a valid observation with another error: ${next.error}`, { evidence: cold.client.log.toEvidence(20) });
    const shape = resultShape(state, next.result, cold.ready.meta);
    const noted = shape.startsWith('a result malformed') ? ` (${shape})` : '';
    return {
      detail: `{} got error "${provoked.text}" (${formatDuration(provoked.latencyMs)}); the same session then answered an observation in ${formatDuration(next.latencyMs)}${noted}`,
      evidence: { error: provoked.text, ...cold.client.log.toEvidence(20) },
    };
  },
};
