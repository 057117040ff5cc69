import { formatDuration } from '../../time/format-duration.ts';
import { settleProbe, type ProbeOutcome } from '../probe-outcome.ts';
import { answered, idle, until } from './bot-waits.ts';
import type { BotSubject } from './bot-subject.ts';
import type { ChatMessage } from './chat-server.ts';

/** Timing expectations of the ws-client probes (ms). */
export interface BotProbeSettings {
  idleMs: number;
  /** A normal reply must come within this. */
  replyTimeoutMs: number;
  /** A dead path must be noticed within this: the subject's ping interval + pong timeout. */
  detectWithinMs: number;
  /** After a reset or a close: reconnect and answer within this. */
  reconnectWithinMs: number;
  /** The subject's configured max connection age, when it has one. */
  maxAgeMs: number | undefined;
  /** A close on a dead path must return within this. */
  closeWithinMs: number;
  /** Messages sent just before the service closes the connection. */
  burst: number;
}

/** Room for a loaded machine on top of a timing the subject promises: +25 % and +500 ms. */
export const allowance = (ms: number): number => ms * 1.25 + 500;

function connected(subject: BotSubject) {
  const connection = subject.chat.current();
  const path = subject.proxy.open().at(-1);
  if (!connection || !path) throw new Error(`the ${subject.role} bot has no open connection (it never reconnected after the previous probe)`);
  return { connection, path };
}

/** The seed's critical test: after an idle period the first message must be answered. */
export function firstMessageAfterIdle(subject: BotSubject, settings: BotProbeSettings): Promise<ProbeOutcome> {
  return settleProbe(async () => {
    connected(subject);
    await idle(subject, settings.idleMs);
    const message = subject.chat.send('first message after idle');
    const replyMs = await answered(subject, message, settings.replyTimeoutMs);
    if (replyMs === undefined) return { state: 'fail', detail: `no answer within ${formatDuration(settings.replyTimeoutMs)} to the first message after ${formatDuration(settings.idleMs)} idle` };
    return { state: 'pass', detail: `answered in ${formatDuration(replyMs)} after ${formatDuration(settings.idleMs)} idle`, valueMs: replyMs };
  });
}

/**
 * After idle the path goes silently dead (black hole both ways: no FIN, no RST) and a message
 * is sent into it. The bot must notice within ping interval + pong timeout (its socket to the
 * proxy closes), reconnect, and then answer the message (redelivered on the new connection).
 */
export function stalePathAfterIdle(subject: BotSubject, settings: BotProbeSettings): Promise<ProbeOutcome> {
  return settleProbe(async () => {
    const { connection, path } = connected(subject);
    await idle(subject, settings.idleMs);
    const holed = performance.now();
    subject.proxy.setFault({ kind: 'blackhole' }, { connection: path.id });
    const message = subject.chat.send('first message after idle, into a dead path');
    const budget = allowance(settings.detectWithinMs);
    const noticed = await until(subject, `the ${subject.role} bot to notice the dead path`, budget, () => path.clientEnd()?.monoMs);
    const newer = (): number | undefined => subject.chat.connections.find((other) => other.no > connection.no)?.openedMs;
    if (noticed === undefined) {
      const evidence = { waitedMs: Math.round(budget), proxy: subject.proxy.counts(), newConnection: newer() !== undefined };
      return { state: 'fail', detail: `did not notice the dead path within ${formatDuration(budget)} (expected ≤ ${formatDuration(settings.detectWithinMs)} = ping interval + pong timeout); the first message after idle is lost`, evidence };
    }
    const detectMs = noticed - holed;
    const reconnected = await until(subject, `the ${subject.role} bot to reconnect`, settings.reconnectWithinMs, newer);
    if (reconnected === undefined) return { state: 'fail', detail: `noticed the dead path after ${formatDuration(detectMs)} but did not reconnect within ${formatDuration(settings.reconnectWithinMs)}`, valueMs: detectMs };
    const replyMs = await answered(subject, message, settings.replyTimeoutMs);
    if (replyMs === undefined) return { state: 'fail', detail: `noticed after ${formatDuration(detectMs)}, reconnected, but the message was never answered`, valueMs: detectMs };
    return { state: 'pass', detail: `noticed the dead path after ${formatDuration(detectMs)} (budget ${formatDuration(budget)}), reconnected after ${formatDuration(reconnected - holed)}, message answered ${formatDuration(replyMs)} after it was sent`, valueMs: detectMs };
  });
}

/** After idle the first send resets the connection (a NAT or load balancer forgot it): reconnect and answer. */
export function resetOnFirstSend(subject: BotSubject, settings: BotProbeSettings): Promise<ProbeOutcome> {
  return settleProbe(async () => {
    const { connection, path } = connected(subject);
    await idle(subject, settings.idleMs);
    subject.proxy.setFault({ kind: 'reset-on-data' }, { connection: path.id, direction: 'down' });
    const message = subject.chat.send('first message after idle, reset on the way');
    const replyMs = await answered(subject, message, allowance(settings.reconnectWithinMs));
    const newer = subject.chat.connections.some((other) => other.no > connection.no);
    if (replyMs === undefined) return { state: 'fail', detail: `the reset message was not answered within ${formatDuration(allowance(settings.reconnectWithinMs))}${newer ? '' : ' and the bot did not reconnect'}` };
    return { state: 'pass', detail: `reconnected and answered ${formatDuration(replyMs)} after the reset`, valueMs: replyMs };
  });
}

/** Messages sent just before the service closes the connection must still be answered. */
export function messagesBeforeClose(subject: BotSubject, settings: BotProbeSettings): Promise<ProbeOutcome> {
  return settleProbe(async () => {
    const { connection } = connected(subject);
    const messages = Array.from({ length: settings.burst }, (_, i) => subject.chat.send(`before close ${i + 1}`));
    subject.chat.closeConnection(connection);
    const budget = allowance(settings.reconnectWithinMs);
    await until(subject, `the ${subject.role} bot to answer the ${settings.burst} messages sent before the close`, budget, () => (messages.every((message) => message.answeredMs !== undefined) ? true : undefined));
    const answeredCount = messages.filter((message) => message.answeredMs !== undefined).length;
    const later = messages.filter((message) => message.answeredOn !== undefined && message.answeredOn !== connection.no).length;
    if (answeredCount < messages.length) return { state: 'fail', detail: `${messages.length - answeredCount} of ${messages.length} messages sent just before the close were never answered (waited ${formatDuration(budget)})` };
    return { state: 'pass', detail: `${answeredCount}/${messages.length} answered (${later} on the next connection)` };
  });
}

/**
 * Proactive reconnect: with a message every 100 ms, the bot must open a new connection when the
 * current one reaches its max age, and no message may be lost across the switch.
 */
export function proactiveReconnect(subject: BotSubject, settings: BotProbeSettings): Promise<ProbeOutcome> {
  return settleProbe(async () => {
    const maxAgeMs = settings.maxAgeMs as number;
    const { connection } = connected(subject);
    const deadlineMs = connection.openedMs + allowance(maxAgeMs);
    const sent: ChatMessage[] = [];
    let switched: number | undefined;
    while (performance.now() < deadlineMs && switched === undefined) {
      sent.push(subject.chat.send(`steady ${sent.length + 1}`));
      switched = await until(subject, 'a proactive reconnect', 100, () => subject.chat.connections.find((other) => other.no > connection.no)?.openedMs);
    }
    for (let i = 0; i < 3; i += 1) sent.push(subject.chat.send(`after switch ${i + 1}`));
    await until(subject, 'every steady message to be answered', settings.replyTimeoutMs, () => (sent.every((message) => message.answeredMs !== undefined) ? true : undefined));
    const lost = sent.filter((message) => message.answeredMs === undefined).length;
    if (switched === undefined) return { state: 'fail', detail: `no reconnect by connection age ${formatDuration(performance.now() - connection.openedMs)} (max age ${formatDuration(maxAgeMs)})${lost ? `; ${lost} messages lost` : ''}` };
    const age = switched - connection.openedMs;
    if (age < maxAgeMs * 0.8 - 100) return { state: 'fail', detail: `reconnected at connection age ${formatDuration(age)}, well before the max age ${formatDuration(maxAgeMs)}` };
    if (lost) return { state: 'fail', detail: `reconnected at age ${formatDuration(age)} but ${lost} of ${sent.length} messages were lost` };
    return { state: 'pass', detail: `reconnected at connection age ${formatDuration(age)} (max age ${formatDuration(maxAgeMs)}); ${sent.length}/${sent.length} messages answered`, valueMs: age };
  });
}

/** One request/reply round trip (a latency sample); undefined when no answer came. */
export async function replySample(subject: BotSubject, settings: BotProbeSettings): Promise<number | undefined> {
  const message = subject.chat.send('ping');
  return await answered(subject, message, settings.replyTimeoutMs);
}

/**
 * Close on a dead path: the path goes black, then the bot is asked to stop (SIGTERM). Its close
 * must give up on the closing handshake within the close timeout, so it exits in time. Ends the bot.
 */
export function closeOnDeadPath(subject: BotSubject, settings: BotProbeSettings): Promise<ProbeOutcome> {
  return settleProbe(async () => {
    const { path } = connected(subject);
    const guard = subject.guard;
    if (!guard) throw new Error('the bot is not running');
    subject.proxy.setFault({ kind: 'blackhole' }, { connection: path.id });
    const budget = allowance(settings.closeWithinMs);
    const stop = await guard.stop({ graceMs: budget });
    if (stop.signal === 'SIGKILL') return { state: 'fail', detail: `close blocked on the dead path: still running ${formatDuration(budget)} after SIGTERM (close timeout ${formatDuration(settings.closeWithinMs)}), killed`, evidence: { stop } };
    return { state: 'pass', detail: `closed and exited ${formatDuration(stop.durationMs)} after SIGTERM with the path dead (close timeout ${formatDuration(settings.closeWithinMs)})`, valueMs: stop.durationMs };
  });
}
