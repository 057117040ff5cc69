import { HarnessError } from '../../../errors/harness-error.ts';
import { formatDuration } from '../../../time/format-duration.ts';
import { waitFor } from '../../../wait-strategies/wait-for.ts';
import { readConnectionCount } from '../connection-count.ts';
import { isFinal } from '../stream-message.ts';
import { authHeaders, needsRunningJob, type TrainingCheck } from '../training-state.ts';

/**
 * One client vanishes mid-stream (TCP dropped, no close frame): every other client keeps getting
 * messages, and the server's connection count comes back down (when the server shows one).
 */
export const clientDisconnect: TrainingCheck = {
  name: 'client disconnect',
  skipReason: (state) => needsRunningJob(state) ?? (state.leaver ? undefined : 'no leaving client connected'),
  async run(state) {
    const { target } = state;
    const leaver = state.leaver as NonNullable<typeof state.leaver>;
    const headers = authHeaders(target);
    const before = await readConnectionCount(target.baseUrl, target.jobId, headers);
    const leftAt = performance.now();
    leaver.terminate();
    // Every watcher gets a message after the leave (or its stream ends normally).
    const after = await Promise.all(
      state.observers.map(async ({ client }) => {
        let index = client.messages.findIndex((message) => message.atMs > leftAt);
        if (index === -1) index = client.messages.length;
        try {
          const message = await client.messageAt(index, 'a message after another client left');
          if (message) return { client: client.label, ok: true, text: `${formatDuration(message.atMs - leftAt)} later${isFinal(message) ? ' (the final one)' : ''}` };
          const close = client.closeInfo;
          const ended = client.messages.some(isFinal) && close?.code === 1000;
          return { client: client.label, ok: ended, text: ended ? 'stream had ended normally' : `its stream closed ${close?.code ?? '?'} ${JSON.stringify(close?.reason ?? '')}` };
        } catch (error) {
          return { client: client.label, ok: false, text: (error as Error).message };
        }
      }),
    );
    const disturbed = after.filter((entry) => !entry.ok);
    const evidence: Record<string, unknown> = { others: after, countBefore: before ?? null };
    if (disturbed.length > 0) {
      throw new HarnessError('DISCONNECT_DISTURBED', `after ${leaver.label} dropped its connection, ${disturbed.map((entry) => `${entry.client}: ${entry.text}`).join('; ')}`, { evidence });
    }
    const others = after.length <= 3 ? `the other ${after.length} kept streaming (next message ${after.map((entry) => entry.text).join(', ')})` : `the other ${after.length} kept streaming (each got its next message: ${after[0]?.text} … ${after.at(-1)?.text})`;
    if (!before) {
      return { detail: `${others}; the server's connection count cannot be observed (no ${'websocket_connections'}-like field in GET /jobs/${target.jobId}, no /metrics)`, evidence: { ...evidence, countObservable: false } };
    }
    const expected = before.count - 1;
    let last = before.count;
    try {
      const settled = await waitFor(
        async () => {
          const now = await readConnectionCount(target.baseUrl, target.jobId, headers);
          last = now?.count ?? last;
          return now && now.count <= expected ? { ready: true, value: now.count } : { ready: false, observed: `count ${now?.count ?? '?'}`, retryAfterMs: 10 };
        },
        { description: `the connection count of job ${target.jobId} to come down from ${before.count}`, timeoutMs: target.timing.countSettleMs },
      );
      return { detail: `${others}; connection count ${before.count} → ${settled.value} ${formatDuration(settled.elapsedMs)} after the drop (${before.source})`, evidence: { ...evidence, countAfter: settled.value, settleMs: Math.round(settled.elapsedMs), countSource: before.source } };
    } catch {
      throw new HarnessError('CONNECTION_LEAK', `the server still counts ${last} connection(s) on job ${target.jobId} ${formatDuration(target.timing.countSettleMs)} after ${leaver.label} dropped its connection (was ${before.count}, expected ${expected}): it does not forget disconnected clients (${before.source})`, {
        evidence: { ...evidence, countAfter: last, expected, countSource: before.source, waitedMs: target.timing.countSettleMs },
        hint: 'remove a client from the connection manager when its socket closes or a send to it fails (WebSocketDisconnect)',
      });
    }
  },
};
