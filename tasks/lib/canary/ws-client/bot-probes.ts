import { formatDuration } from '../../time/format-duration.ts';
import { settleProbe, type ProbeOutcome } from '../probe-outcome.ts';
import { allowance, blackHoleAfterIdle, connected, deadPathSigns, type ChatProbeSettings } from '../chat/chat-probes.ts';
import { answered, until } from '../chat/chat-waits.ts';
import type { BotSubject } from './bot-subject.ts';
import type { ChatConnection, ChatMessage } from './chat-server.ts';

/**
 * After idle the path goes silently dead (black hole both ways: no FIN, no RST) and a message
 * is sent into it. The bot must notice within ping interval + pong timeout — the first sign, seen
 * at the proxy: a close frame sent into the black hole, or its socket dropped (a bot that closes
 * with a handshake drops the socket only after its close timeout; that is reported apart) —
 * reconnect, and then answer the message (redelivered on the new connection). The message is
 * called lost only when it was never answered.
 */
export function stalePathAfterIdle(subject: BotSubject, settings: ChatProbeSettings): Promise<ProbeOutcome> {
  let dead: ChatConnection | undefined;
  // Whatever the bot did, the harness gives up its end of the dead path at the end: no later probe or sample may use it.
  return settleProbe(() => stalePath(subject, settings, (connection) => (dead = connection))).finally(() => dead && subject.chat.drop(dead));
}

async function stalePath(subject: BotSubject, settings: ChatProbeSettings, holding: (connection: ChatConnection) => void): Promise<ProbeOutcome> {
  const { connection, path, holed, message, budget } = await blackHoleAfterIdle(subject, settings);
  holding(connection);
  const signs = deadPathSigns(path, 'up');
  const noticed = await until(subject, `the ${subject.role} bot to notice the dead path`, budget, () => signs.noticed());
  const newer = (): number | undefined => subject.chat.connections.find((other) => other.no > connection.no)?.openedMs;
  // The socket goes only after the bot's close timeout; then it reconnects.
  const reconnectBudget = allowance(settings.closeWithinMs) + settings.reconnectWithinMs;
  if (noticed === undefined) {
    const replyMs = await answered(subject, message, reconnectBudget + settings.replyTimeoutMs);
    const evidence = { waitedMs: Math.round(budget), proxy: subject.proxy.counts(), newConnection: newer() !== undefined, ...signs.evidence(holed) };
    const fate = replyMs === undefined ? 'the message sent into it was never answered (lost)' : `the message sent into it was answered ${formatDuration(replyMs)} after it was sent${newer() !== undefined ? ', on a later connection' : ''}`;
    return { state: 'fail', detail: `did not notice the dead path within ${formatDuration(budget)} (expected ≤ ${formatDuration(settings.detectWithinMs)} = ping interval + pong timeout; no close frame and no socket drop seen at the proxy); ${fate}`, evidence };
  }
  const detectMs = noticed - holed;
  const reconnected = await until(subject, `the ${subject.role} bot to reconnect`, reconnectBudget, newer);
  const dropped = signs.dropped();
  const how = `${signs.how()} after ${formatDuration(detectMs)} (budget ${formatDuration(budget)})${dropped === undefined ? '' : `, socket dropped after ${formatDuration(dropped - holed)}`}`;
  if (reconnected === undefined) return { state: 'fail', detail: `noticed the dead path (${how}) but did not reconnect within ${formatDuration(reconnectBudget)}`, valueMs: detectMs, evidence: signs.evidence(holed) };
  const replyMs = await answered(subject, message, settings.replyTimeoutMs);
  if (replyMs === undefined) return { state: 'fail', detail: `noticed the dead path (${how}), reconnected, but the message sent into it was never answered`, valueMs: detectMs, evidence: signs.evidence(holed) };
  return { state: 'pass', detail: `noticed the dead path (${how}), reconnected after ${formatDuration(reconnected - holed)}, message answered ${formatDuration(replyMs)} after it was sent`, valueMs: detectMs, budgetMs: settings.detectWithinMs, evidence: signs.evidence(holed) };
}

/** How long the harness leaves between the burst and its close: a bot answering in this window meets the rule. */
export const CLOSE_WINDOW_MS = 500;

/**
 * Messages sent just before a close: 3 messages, then a window of 500 ms, then the service closes
 * the connection (1012). Every message must be answered — in the window, on the closing connection,
 * or on the next connection (at least once). A typical bot answers on the connection a message came
 * in on and keeps nothing across connections: it meets the rule by answering promptly. A bot that
 * loses what it was still handling when the close came (or whose library makes messages read before
 * a close unreadable) does not.
 */
export function messagesBeforeClose(subject: BotSubject, settings: ChatProbeSettings): Promise<ProbeOutcome> {
  return settleProbe(async () => {
    const { connection } = await connected(subject, settings);
    const messages = Array.from({ length: settings.burst }, (_, i) => subject.chat.send(`before close ${i + 1}`));
    const all = (): true | undefined => (messages.every((message) => message.answeredMs !== undefined) ? true : undefined);
    await until(subject, `the ${subject.role} bot to answer the ${settings.burst} messages before the close`, CLOSE_WINDOW_MS, all);
    const inWindow = messages.filter((message) => message.answeredMs !== undefined).length;
    if (connection.closedMs === undefined) subject.chat.closeConnection(connection);
    const budget = allowance(settings.reconnectWithinMs);
    await until(subject, `the ${subject.role} bot to answer the ${settings.burst} messages sent before the close`, budget, all);
    const answeredCount = messages.filter((message) => message.answeredMs !== undefined).length;
    const later = messages.filter((message) => message.answeredOn !== undefined && message.answeredOn !== connection.no).length;
    const split = `${inWindow} in the ${formatDuration(CLOSE_WINDOW_MS)} before the close, ${answeredCount - inWindow - later} while it closed, ${later} on the next connection`;
    if (answeredCount < messages.length) return { state: 'fail', detail: `${messages.length - answeredCount} of ${messages.length} messages sent ${formatDuration(CLOSE_WINDOW_MS)} before the close were never answered (answered: ${split}; waited ${formatDuration(budget)} after the close)` };
    return { state: 'pass', detail: `${answeredCount}/${messages.length} answered (${split})` };
  });
}

/**
 * Proactive reconnect: with a message every 100 ms, the bot must open a new connection when the
 * current one reaches its max age, and no message may be lost across the switch.
 */
export function proactiveReconnect(subject: BotSubject, settings: ChatProbeSettings): Promise<ProbeOutcome> {
  return settleProbe(async () => {
    const maxAgeMs = settings.maxAgeMs as number;
    const { connection } = await connected(subject, settings);
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
