import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { allowance, connected, lastConnectionClosedMs, type ChatProbeSettings } from '../../../tasks/lib/canary/chat/chat-probes.ts';
import { botUrl, disposeBot, prepareBot, type BotSubject } from '../../../tasks/lib/canary/ws-client/bot-subject.ts';

/**
 * A probe's wait for an open connection (tasks/lib/canary/chat/chat-probes.ts `connected`): the
 * reconnect allowance counts from when the subject's last connection closed, so a subject that
 * stays disconnected is waited for once, not again by every later probe and sample block. A real
 * chat end and fault proxy; the "bot" is a WebSocket client in this process.
 */
const SETTINGS: ChatProbeSettings = { idleMs: 0, replyTimeoutMs: 1000, detectWithinMs: 1000, reconnectWithinMs: 1600, maxAgeMs: undefined, closeWithinMs: 1000, burst: 3 };
const BUDGET = allowance(SETTINGS.reconnectWithinMs); // 2.5 s

const subjects: BotSubject[] = [];
const clients: WebSocket[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.terminate();
  await Promise.all(subjects.splice(0).map((subject) => disposeBot(subject)));
});

async function subject(): Promise<BotSubject> {
  const made = await prepareBot('baseline');
  subjects.push(made);
  return made;
}

/** Connects a client through the proxy and waits until the harness's end has the connection. */
async function connect(bot: BotSubject): Promise<WebSocket> {
  const before = bot.chat.connections.length;
  const client = new WebSocket(botUrl(bot));
  clients.push(client);
  await once(client, 'open');
  while (bot.chat.connections.length === before) await new Promise((resolve) => bot.chat.subscribe(() => resolve(undefined)));
  return client;
}

async function closeAndWait(bot: BotSubject, client: WebSocket): Promise<void> {
  client.close(1000);
  await once(client, 'close');
  while (lastConnectionClosedMs(bot) === undefined) await new Promise((resolve) => bot.chat.subscribe(() => resolve(undefined)));
}

async function timed<T>(action: () => Promise<T>): Promise<{ ms: number; value?: T; error?: Error }> {
  const started = performance.now();
  try {
    const value = await action();
    return { ms: performance.now() - started, value };
  } catch (error) {
    return { ms: performance.now() - started, error: error as Error };
  }
}

describe('connected: the wait for an open connection', () => {
  it('finds an open connection at once', async () => {
    const bot = await subject();
    await connect(bot);
    const found = await connected(bot, SETTINGS);
    expect(found.connection.no).toBe(1);
    expect(lastConnectionClosedMs(bot)).toBeUndefined();
  });

  it('waits for a subject that reconnects after its connection closed', async () => {
    const bot = await subject();
    await closeAndWait(bot, await connect(bot));
    const waiting = connected(bot, SETTINGS);
    await connect(bot);
    expect((await waiting).connection.no).toBe(2);
  });

  it('waits the reconnect allowance once for a subject that stays disconnected; a later probe fails at once, naming when the connection closed', async () => {
    const bot = await subject();
    await closeAndWait(bot, await connect(bot));
    const first = await timed(() => connected(bot, SETTINGS));
    expect(first.error?.message).toMatch(/^the baseline bot has no open connection: none opened within 2\.50 s after its last connection closed \d/);
    expect(first.ms).toBeGreaterThanOrEqual(BUDGET - 50); // counted from the close, a moment before the call
    const again = await timed(() => connected(bot, SETTINGS));
    expect(again.error?.message).toMatch(/none opened within 2\.50 s after its last connection closed/);
    expect(again.ms).toBeLessThan(BUDGET / 2); // not a second allowance
    // a connection that opens later is still found
    await connect(bot);
    expect((await connected(bot, SETTINGS)).connection.no).toBe(2);
  });
});
