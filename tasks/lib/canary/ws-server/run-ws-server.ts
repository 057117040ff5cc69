import type { CanaryEvidence } from '../canary-evidence.ts';
import { chatLaunch, runChatCanary, type ChatPlan, type KindHooks } from '../chat/chat-canary-run.ts';
import { closeOnDeadPath, firstMessageAfterIdle, resetOnFirstSend } from '../chat/chat-probes.ts';
import { maxAgeClose, messagesBeforeShutdown, stalePathToService } from './service-probes.ts';
import { disposeService, prepareService, startService, type ServiceSubject } from './service-subject.ts';

export interface WsServerPlan extends ChatPlan {
  /** The WebSocket path the services serve the chat protocol at. */
  wsPath: string;
}

/**
 * `--kind ws-server`: the harness connects to each service through its own fault proxy as a
 * chat client. Stopping a service ends a probe twice: messages before a shutdown (then it is
 * started again) and the close on a dead path, last.
 */
export async function runWsServerCanary(plan: WsServerPlan, hooks: KindHooks): Promise<CanaryEvidence> {
  const { settings } = plan;
  return await runChatCanary<ServiceSubject>(
    {
      noun: 'service',
      prepare: (role) => prepareService(role, plan.wsPath),
      start: (subject) => startService(subject, chatLaunch(plan, hooks, subject.role)),
      dispose: disposeService,
      probes: [
        ...(settings.maxAgeMs !== undefined ? [{ name: 'graceful close at max age', run: (subject: ServiceSubject) => maxAgeClose(subject, settings) }] : []),
        { name: 'first message after idle', run: (subject) => firstMessageAfterIdle(subject, settings), critical: true },
        { name: 'stale path after idle', run: (subject) => stalePathToService(subject, settings), critical: true },
        { name: 'reset on first send after idle', run: (subject) => resetOnFirstSend(subject, settings, 'up') },
        { name: 'messages sent just before a close', run: (subject) => messagesBeforeShutdown(subject, settings) },
      ],
      skipped: settings.maxAgeMs === undefined ? [{ name: 'graceful close at max age', why: 'no --max-age: pass the max connection age your services close connections at to run it' }] : [],
      closing: [{ name: 'close on a dead path', run: (subject) => closeOnDeadPath(subject, settings) }],
    },
    plan,
    hooks,
  );
}
