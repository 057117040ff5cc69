import { fillTemplate } from '../../cli/command-template.ts';
import { FaultProxy } from '../../fault-proxy/fault-proxy.ts';
import type { GuardOptions, ProcessGuard } from '../../process/process-guard.ts';
import { waitForEvent } from '../../wait-strategies/wait-for.ts';
import type { ChatSubject } from '../chat/chat-waits.ts';
import type { Role } from '../probe-outcome.ts';
import { ChatServer } from './chat-server.ts';

/** One bot under test: its chat service, the fault proxy in front of it, and the bot process. */
export interface BotSubject extends ChatSubject {
  chat: ChatServer;
}

export interface BotLaunch {
  role: Role;
  /** argv template; `{url}` is the chat service through the proxy, `{name}` the role. */
  argv: readonly string[];
  flag: string;
  start: (options: GuardOptions) => Promise<ProcessGuard>;
  connectTimeoutMs: number;
  tailLines?: number;
  cwd?: string;
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

/** Starts the bot and waits for its first connection (fails at once if it exits). */
export async function startBot(subject: BotSubject, launch: BotLaunch): Promise<void> {
  const argv = fillTemplate(launch.argv, { url: botUrl(subject), name: launch.role }, launch.flag);
  const [command, ...args] = argv as [string, ...string[]];
  const started = performance.now();
  subject.guard = await launch.start({ name: `${launch.role}-bot`, command, args, ...(launch.cwd ? { cwd: launch.cwd } : {}), graceMs: 10_000 });
  await waitForEvent(
    () => (subject.chat.current() ? { ready: true, value: true } : { ready: false, observed: `no connection yet (${subject.proxy.counts().accepted} TCP connections at the proxy)` }),
    (onChange) => subject.chat.subscribe(onChange),
    { description: `the ${launch.role} bot to connect to ${botUrl(subject)}`, timeoutMs: launch.connectTimeoutMs, failFastOn: [subject.guard], tailLines: launch.tailLines },
  );
  subject.connectMs = performance.now() - started;
}

export async function disposeBot(subject: BotSubject): Promise<void> {
  await subject.guard?.stop();
  await subject.proxy.close();
  await subject.chat.close();
}
