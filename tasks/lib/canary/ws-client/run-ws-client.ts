import type { CanaryEvidence } from '../canary-evidence.ts';
import type { KindHooks } from '../chat/chat-canary-run.ts';
import { chatLaunch, runChatCanary, type ChatPlan } from '../chat/chat-canary-run.ts';
import { closeOnDeadPath, firstMessageAfterIdle, resetOnFirstSend } from '../chat/chat-probes.ts';
import { messagesBeforeClose, proactiveReconnect, stalePathAfterIdle } from './bot-probes.ts';
import { disposeBot, prepareBot, startBot, type BotSubject } from './bot-subject.ts';

export type { KindHooks } from '../chat/chat-canary-run.ts';

export type WsClientPlan = ChatPlan;

/**
 * `--kind ws-client`: each bot connects to its own chat service through its own fault proxy.
 * The close-on-dead-path probe comes last because it ends the bots.
 */
export async function runWsClientCanary(plan: WsClientPlan, hooks: KindHooks): Promise<CanaryEvidence> {
  const { settings } = plan;
  return await runChatCanary<BotSubject>(
    {
      noun: 'bot',
      prepare: prepareBot,
      start: (subject) => startBot(subject, chatLaunch(plan, hooks, subject.role)),
      dispose: disposeBot,
      probes: [
        ...(settings.maxAgeMs !== undefined ? [{ name: 'proactive reconnect at max age', run: (subject: BotSubject) => proactiveReconnect(subject, settings) }] : []),
        { name: 'first message after idle', run: (subject) => firstMessageAfterIdle(subject, settings), critical: true },
        { name: 'stale path after idle', run: (subject) => stalePathAfterIdle(subject, settings), critical: true },
        { name: 'reset on first send after idle', run: (subject) => resetOnFirstSend(subject, settings, 'down') },
        { name: 'messages sent just before a close', run: (subject) => messagesBeforeClose(subject, settings) },
      ],
      skipped: settings.maxAgeMs === undefined ? [{ name: 'proactive reconnect at max age', why: 'no --max-age: pass the max connection age your bots reconnect at to run it' }] : [],
      closing: [{ name: 'close on a dead path', run: (subject) => closeOnDeadPath(subject, settings) }],
    },
    plan,
    hooks,
  );
}
