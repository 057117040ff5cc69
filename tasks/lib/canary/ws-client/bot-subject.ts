import { FaultProxy } from '../../fault-proxy/fault-proxy.ts';
import { launchSubject, type ChatLaunch } from '../chat/chat-launch.ts';
import { disposeSubjectProcess, type ChatSubject } from '../chat/chat-waits.ts';
import type { Role } from '../probe-outcome.ts';
import { ChatServer } from './chat-server.ts';

/** One bot under test: its chat service, the fault proxy in front of it, and the bot process. */
export interface BotSubject extends ChatSubject {
  chat: ChatServer;
}

/** Chat service and proxy first (so the bot can connect at once), then the bot under a guard. */
export async function prepareBot(role: Role): Promise<BotSubject> {
  const chat = await ChatServer.start(role);
  const proxy = await FaultProxy.start({ name: role, targetPort: chat.port });
  return { role, noun: 'bot', chat, proxy, guard: undefined };
}

export function botUrl(subject: BotSubject): string {
  return `ws://127.0.0.1:${subject.proxy.port}/chat`;
}

/** Starts the bot (`{url}`: the chat service through the proxy, `{name}`: the role) and waits for its first connection. */
export async function startBot(subject: BotSubject, launch: ChatLaunch): Promise<void> {
  await launchSubject(subject, launch, { url: botUrl(subject), name: launch.role }, `the ${launch.role} bot to connect to ${botUrl(subject)}`);
}

export async function disposeBot(subject: BotSubject): Promise<void> {
  await disposeSubjectProcess(subject);
  await subject.proxy.close();
  await subject.chat.close();
}
