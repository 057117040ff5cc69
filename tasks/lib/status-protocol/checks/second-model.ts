import { HarnessError } from '../../errors/harness-error.ts';
import { formatDuration } from '../../time/format-duration.ts';
import { defaultObservation } from '../observation.ts';
import { SessionClient } from '../session-client.ts';
import { sessionOptions } from '../status-target.ts';
import { needsReadySession, resultShape, type StatusCheck, type StatusCheckState } from './check-state.ts';

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The model the open sessions hold (the --model, the ready meta's model name, or the first listed) and another listed one. */
function modelsInPlay(state: StatusCheckState): { held: string; other: string | undefined } {
  const models = state.models ?? [];
  const named = state.cold?.ready.meta.model_name ?? state.cold?.ready.meta.checkpoint_id;
  const held = state.target.model ?? (typeof named === 'string' && models.includes(named) ? named : (models[0] as string));
  return { held, other: models.find((model) => model !== held) };
}

/**
 * A second client asks for another model while sessions on the first are open. The protocol
 * allows both answers: a server that holds several models gets the session ready (and both
 * sessions infer at once); a server that serves one model at a time sends `waiting` (repeated,
 * gaps under the keepalive) until the first model's sessions end, then loads the other and gets
 * ready. The check ends those sessions itself after the first `waiting` frame, so it runs after
 * the checks that use them.
 */
export const secondModel: StatusCheck = {
  name: 'another model while one is in use',
  skipReason: (state) => needsReadySession(state) ?? (modelsInPlay(state).other === undefined ? `the server lists ${state.models?.length ?? 0} model(s): no other model to ask for` : undefined),
  async run(state) {
    const { target } = state;
    const cold = state.cold;
    const { held, other } = modelsInPlay(state);
    if (!cold || !other) throw new Error('unreachable: skipped without a ready session or a second model');
    const client = await SessionClient.open(sessionOptions(target, 'second-model', other));
    state.opened.push(client);
    const first = await client.peek();
    if (isMap(first) && first.status === 'ready') {
      const ready = await client.waitReady();
      const replies = await Promise.all([cold.client.infer(defaultObservation(3)), client.infer(defaultObservation(4))]);
      const failed = replies.find((reply) => !reply.ok);
      if (failed && !failed.ok) throw new HarnessError('INFERENCE_FAILED', `with sessions on ${held} and ${other} open, an observation got an error: ${failed.error}`, { evidence: client.log.toEvidence(20) });
      const shapes = replies.map((reply, index) => (reply.ok ? resultShape(state, reply.result, index === 0 ? cold.ready.meta : ready.meta) : ''));
      const noted = shapes.find((shape) => shape.startsWith('a result malformed'));
      return { detail: `a session on ${other} was ready ${formatDuration(ready.timeToReadyMs)} after open while one on ${held} was in use, and both inferred at once: the server serves both models together${noted ? ` (${noted})` : ''}`, evidence: { held, other, waitingFrames: 0, ...client.log.toEvidence(20) } };
    }
    if (!isMap(first) || first.status !== 'waiting') {
      // Loading at once is allowed too (the server unloads the first model or holds several); waitReady judges what follows.
      if (!isMap(first) || first.status !== 'loading') return await readyAfter(state, client, held, other, 'without waiting');
    }
    const waitingText = isMap(first) ? String(first.message ?? '') : '';
    // Waiting is what a one-model server must do while the first model is in use: end that use.
    const holders = state.opened.filter((session) => session !== client);
    await Promise.allSettled(holders.map((session) => session.close()));
    const closedAt = performance.now();
    state.cold = undefined;
    state.warm = undefined;
    return await readyAfter(state, client, held, other, `after waiting ("${waitingText}") while the ${held} session(s) were open`, closedAt);
  },
};

async function readyAfter(state: StatusCheckState, client: SessionClient, held: string, other: string, how: string, closedAt?: number): Promise<{ detail: string; evidence: Record<string, unknown> }> {
  const { keepaliveMs } = state.target.timing;
  const ready = await client.waitReady();
  const afterClose = closedAt === undefined ? '' : `, ready ${formatDuration(performance.now() - closedAt)} after the check closed them`;
  const waiting = ready.statusFrames.filter((frame) => frame.status === 'waiting');
  const loading = ready.statusFrames.filter((frame) => frame.status === 'loading');
  // This check judges the wait: open → waiting … → the first loading frame (or ready). The load
  // that follows is the cold start's subject, judged there (one root cause, one failure).
  const firstLoading = ready.statusFrames.findIndex((frame) => frame.status === 'loading');
  const waitEnd = firstLoading === -1 ? ready.timeToReadyMs : (ready.statusFrames[firstLoading] as { sinceOpenMs: number }).sinceOpenMs;
  const points = [0, ...waiting.map((frame) => frame.sinceOpenMs).filter((at) => at <= waitEnd), waitEnd];
  const gapMs = Math.max(0, ...points.slice(1).map((at, index) => at - (points[index] as number)));
  const evidence = { held, other, ...(closedAt === undefined ? {} : { readyAfterCloseMs: Math.round(performance.now() - closedAt) }), waitingFrames: waiting.length, loadingFrames: loading.length, timeToReadyMs: Math.round(ready.timeToReadyMs), waitMs: Math.round(waitEnd), largestWaitGapMs: Math.round(gapMs), ...client.log.toEvidence(30) };
  if (waiting.length > 0 && gapMs > keepaliveMs) {
    throw new HarnessError('STATUS_GAP_ABOVE_KEEPALIVE', `the session on ${other} (asked for while ${held} was in use) waited ${formatDuration(waitEnd)} with ${waiting.length} waiting frame(s), but no frame came for ${formatDuration(gapMs)} of it, above the keepalive of ${formatDuration(keepaliveMs)}`, {
      evidence,
      hint: 'while a session waits for another model to be released, send {"status": "waiting", ...} at least every ~5 s (time-based), so no gap reaches the keepalive',
    });
  }
  const reply = await client.infer(defaultObservation(5));
  if (!reply.ok) throw new HarnessError('INFERENCE_FAILED', `the session on ${other} got ready, then answered a valid observation with an error: ${reply.error}`, { evidence });
  const shape = resultShape(state, reply.result, ready.meta);
  const frames = `${waiting.length} waiting and ${loading.length} loading frame(s)${waiting.length > 0 ? `, largest gap while waiting ${formatDuration(gapMs)}` : ''}`;
  return {
    detail: `a session on ${other}, asked for while ${held} was in use, got ready ${how}${afterClose} (${formatDuration(ready.timeToReadyMs)} after open, ${frames}) and inferred: ${waiting.length > 0 ? 'the server serves one model at a time and said so with waiting, as the protocol allows' : 'no waiting was needed'}${shape.startsWith('a result malformed') ? ` (${shape})` : ''}`,
    evidence,
  };
}
