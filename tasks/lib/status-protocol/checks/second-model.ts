import { HarnessError } from '../../errors/harness-error.ts';
import { formatDuration } from '../../time/format-duration.ts';
import { defaultObservation } from '../observation.ts';
import { SessionClient, type StatusFrame } from '../session-client.ts';
import { sessionOptions } from '../status-target.ts';
import { needsReadySession, resultShape, type StatusCheck, type StatusCheckState } from './check-state.ts';

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
    // Status frames as they come: the wait ends at the first loading (or ready) frame.
    const frames: StatusFrame[] = [];
    let moved: (frame: StatusFrame | undefined) => void = () => undefined;
    const movedOn = new Promise<StatusFrame | undefined>((resolve) => (moved = resolve));
    let firstSeen: (frame: StatusFrame | undefined) => void = () => undefined;
    const firstFrame = new Promise<StatusFrame | undefined>((resolve) => (firstSeen = resolve));
    const options = sessionOptions(target, 'second-model', other);
    const client = await SessionClient.open({
      ...options,
      onStatus: (frame) => {
        options.onStatus?.(frame);
        frames.push(frame);
        firstSeen(frame);
        if (frame.status === 'loading') moved(frame);
      },
    });
    state.opened.push(client);
    const readying = client.waitReady();
    readying.then(
      () => (firstSeen(undefined), moved(undefined)),
      () => (firstSeen(undefined), moved(undefined)),
    );
    const first = await firstFrame;
    if (!first) {
      // Ready with no status frame (or the session failed: awaiting it throws that failure).
      const ready = await readying;
      const replies = await Promise.all([cold.client.infer(defaultObservation(3)), client.infer(defaultObservation(4))]);
      const failed = replies.find((reply) => !reply.ok);
      if (failed && !failed.ok) throw new HarnessError('INFERENCE_FAILED', `with sessions on ${held} and ${other} open, an observation got an error: ${failed.error}`, { evidence: client.log.toEvidence(20) });
      const shapes = replies.map((reply, index) => (reply.ok ? resultShape(state, reply.result, index === 0 ? cold.ready.meta : ready.meta) : ''));
      const noted = shapes.find((shape) => shape.startsWith('a result malformed'));
      return { detail: `a session on ${other} was ready ${formatDuration(ready.timeToReadyMs)} after open while one on ${held} was in use, and both inferred at once: the server serves both models together${noted ? ` (${noted})` : ''}`, evidence: { held, other, waitingFrames: 0, ...client.log.toEvidence(20) } };
    }
    let closedAt: number | undefined;
    if (first.status === 'waiting') {
      // Waiting is what a one-model server must do while the first model is in use: end that use.
      const holders = state.opened.filter((session) => session !== client);
      await Promise.allSettled(holders.map((session) => session.close()));
      closedAt = performance.now();
      state.cold = undefined;
      state.warm = undefined;
    }
    // The wait ends at the first loading frame (or ready); a failure before that (a gap past the
    // per-message timeout, a close) is the wait's. The load that follows is the cold start's subject.
    const loading = await movedOn;
    if (!loading) await readying; // throws the session's failure when it ended without loading or ready
    readying.catch(() => undefined);
    const openedAt = client.log.opened?.atMs ?? 0;
    const endMs = loading ? loading.sinceOpenMs : performance.now() - openedAt;
    const waiting = frames.filter((frame) => frame.status === 'waiting');
    const points = [0, ...waiting.map((frame) => frame.sinceOpenMs), endMs];
    const gapMs = Math.max(0, ...points.slice(1).map((at, index) => at - (points[index] as number)));
    const endedBy = loading ? `loading ("${loading.message}")` : 'ready';
    const evidence = { held, other, waitingFrames: waiting.length, waitMs: Math.round(endMs), largestWaitGapMs: Math.round(gapMs), ...(closedAt === undefined ? {} : { movedOnAfterCloseMs: Math.round(openedAt + endMs - closedAt) }), ...client.log.toEvidence(30) };
    await client.close();
    if (waiting.length === 0) {
      return { detail: `a session on ${other}, asked for while ${held} was in use, went on to ${endedBy} ${formatDuration(endMs)} after open without waiting: the server does not hold the second session back`, evidence };
    }
    const { keepaliveMs } = target.timing;
    if (gapMs > keepaliveMs) {
      throw new HarnessError('STATUS_GAP_ABOVE_KEEPALIVE', `the session on ${other} (asked for while ${held} was in use) waited ${formatDuration(endMs)} with ${waiting.length} waiting frame(s), but no frame came for ${formatDuration(gapMs)} of it, above the keepalive of ${formatDuration(keepaliveMs)}`, {
        evidence,
        hint: 'while a session waits for another model to be released, send {"status": "waiting", ...} at least every ~5 s (time-based), so no gap reaches the keepalive',
      });
    }
    const after = closedAt === undefined ? '' : `, ${formatDuration(openedAt + endMs - closedAt)} after the check closed the ${held} session(s)`;
    return {
      detail: `a session on ${other}, asked for while ${held} was in use, got ${waiting.length} waiting frame(s) ("${waiting[0]?.message ?? ''}", largest gap ${formatDuration(gapMs)}, under the keepalive of ${formatDuration(keepaliveMs)}), then went on to ${endedBy}${after}: the server serves one model at a time and said so with waiting, as the protocol allows`,
      evidence,
    };
  },
};
