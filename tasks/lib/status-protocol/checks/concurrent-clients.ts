import { HarnessError } from '../../errors/harness-error.ts';
import { formatDuration } from '../../time/format-duration.ts';
import { defaultObservation } from '../observation.ts';
import { SessionClient } from '../session-client.ts';
import { sessionOptions } from '../status-target.ts';
import { needsReadySession, resultShape, type ReadySession, type StatusCheck } from './check-state.ts';

/** The cold and the warm session each send an observation at the same moment; both get results. */
export const concurrentClients: StatusCheck = {
  name: 'two clients inferring at once',
  skipReason: needsReadySession,
  async run(state) {
    const first = state.cold;
    if (!first) throw new Error('unreachable: skipped without a ready session');
    let second: ReadySession | undefined = state.warm && !state.warm.client.failure ? state.warm : undefined;
    if (!second) {
      const opened = await SessionClient.connect(sessionOptions(state.target, 'second-client'));
      state.opened.push(opened.client);
      second = opened;
    }
    const sessions = [first, second];
    const replies = await Promise.all(sessions.map((session, index) => session.client.infer(defaultObservation(index + 1))));
    const details = replies.map((reply, index) => {
      const session = sessions[index] as ReadySession;
      if (!reply.ok) throw new HarnessError('INFERENCE_FAILED', `session ${session.client.label} got an error while the other one was inferring: ${reply.error}`, { evidence: { error: reply.error } });
      return { text: `${session.client.label} ${formatDuration(reply.latencyMs)}`, shape: resultShape(state, reply.result, session.ready.meta) };
    });
    const noted = details.find((entry) => entry.shape.startsWith('a result malformed'));
    return { detail: `both sessions got results for observations sent together (${details.map((entry) => entry.text).join(', ')})${noted ? `: ${noted.shape}` : ''}`, evidence: { latenciesMs: replies.map((reply) => Math.round(reply.latencyMs)) } };
  },
};
