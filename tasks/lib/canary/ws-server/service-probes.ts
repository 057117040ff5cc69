import { formatDuration } from '../../time/format-duration.ts';
import { allowance, blackHoleAfterIdle, connected, deadPathSigns, type ChatProbeSettings } from '../chat/chat-probes.ts';
import type { ChatMessage } from '../chat/chat-ledger.ts';
import { answered, stopSubject, until } from '../chat/chat-waits.ts';
import { settleProbe, type ProbeOutcome } from '../probe-outcome.ts';
import { restartService, type ServiceSubject } from './service-subject.ts';

const newerConnection = (subject: ServiceSubject, no: number): number | undefined => subject.chat.connections.find((other) => other.no > no)?.openedMs;
const refusal = (subject: ServiceSubject): string => (subject.chat.lastFailure ? ` (last attempt: ${subject.chat.lastFailure}; ${subject.chat.failedAttempts} failed attempts)` : '');

/**
 * After idle the path to the client goes silently dead (black hole both ways: no FIN, no RST).
 * The service must notice with its own keepalive and free the connection within ping interval +
 * pong timeout: seen at the proxy as the service closing its side (a service that forgets the
 * session but keeps the socket open cannot be told apart from one that never noticed, and fails).
 * Then the harness gives up on its end too, reconnects, and the message sent into the dead path
 * must be answered on the new connection.
 */
export function stalePathToService(subject: ServiceSubject, settings: ChatProbeSettings): Promise<ProbeOutcome> {
  return settleProbe(async () => {
    const { connection, path, holed, message, budget } = await blackHoleAfterIdle(subject, settings);
    const signs = deadPathSigns(path, 'down');
    const noticed = await until(subject, `the ${subject.role} service to drop the dead client`, budget, () => signs.noticed());
    if (noticed === undefined) {
      return { state: 'fail', detail: `did not drop the dead client within ${formatDuration(budget)} (expected ≤ ${formatDuration(settings.detectWithinMs)} = ping interval + pong timeout): the proxy saw no close frame and no socket close from the service, so the connection stays held`, evidence: { waitedMs: Math.round(budget), proxy: subject.proxy.counts(), ...signs.evidence(holed) } };
    }
    const detectMs = noticed - holed;
    subject.chat.drop(connection);
    const reconnected = await until(subject, `the ${subject.role} service to accept a new connection`, allowance(settings.reconnectWithinMs), () => newerConnection(subject, connection.no));
    if (reconnected === undefined) return { state: 'fail', detail: `dropped the dead client after ${formatDuration(detectMs)} but accepted no new connection within ${formatDuration(allowance(settings.reconnectWithinMs))}${refusal(subject)}`, valueMs: detectMs };
    const replyMs = await answered(subject, message, settings.replyTimeoutMs);
    if (replyMs === undefined) return { state: 'fail', detail: `dropped the dead client after ${formatDuration(detectMs)}, accepted a new connection, but never answered the message sent again on it`, valueMs: detectMs };
    return { state: 'pass', detail: `dropped the dead client after ${formatDuration(detectMs)} (${signs.how()}; budget ${formatDuration(budget)}, seen at the proxy); the message sent into the dead path was answered on the new connection ${formatDuration(replyMs)} after it was first sent`, valueMs: detectMs, budgetMs: settings.detectWithinMs };
  });
}

/**
 * Max connection age: with a message every 100 ms, the service must close the connection when
 * it reaches its max age, with a closing handshake (a close code, not a dropped socket), and no
 * message may be lost: the harness reconnects and sends what was unanswered again.
 */
export function maxAgeClose(subject: ServiceSubject, settings: ChatProbeSettings): Promise<ProbeOutcome> {
  return settleProbe(async () => {
    const maxAgeMs = settings.maxAgeMs as number;
    const { connection } = await connected(subject, settings);
    const deadlineMs = connection.openedMs + allowance(maxAgeMs);
    const sent: ChatMessage[] = [];
    let closed: number | undefined;
    while (performance.now() < deadlineMs && closed === undefined) {
      sent.push(subject.chat.send(`steady ${sent.length + 1}`));
      closed = await until(subject, 'the service to close at max age', 100, () => connection.closedMs);
    }
    for (let i = 0; i < 3; i += 1) sent.push(subject.chat.send(`after the close ${i + 1}`));
    await until(subject, 'every steady message to be answered', allowance(settings.reconnectWithinMs) + settings.replyTimeoutMs, () => (sent.every((message) => message.answeredMs !== undefined) ? true : undefined));
    const lost = sent.filter((message) => message.answeredMs === undefined).length;
    const again = sent.filter((message) => message.deliveredOn.length > 1).length;
    if (closed === undefined) return { state: 'fail', detail: `the service did not close the connection by age ${formatDuration(performance.now() - connection.openedMs)} (max age ${formatDuration(maxAgeMs)})` };
    const age = closed - connection.openedMs;
    if (age < maxAgeMs * 0.8 - 100) return { state: 'fail', detail: `closed at connection age ${formatDuration(age)}, well before the max age ${formatDuration(maxAgeMs)} (code ${connection.closeCode})` };
    if (!connection.cleanClose) return { state: 'fail', detail: `dropped the connection at age ${formatDuration(age)} without a closing handshake (1006): not a graceful close, the client cannot tell it from a failure${lost ? `; ${lost} messages lost` : ''}` };
    if (lost) return { state: 'fail', detail: `closed at age ${formatDuration(age)} (code ${connection.closeCode}) but ${lost} of ${sent.length} messages were never answered, even sent again` };
    return { state: 'pass', detail: `closed gracefully (code ${connection.closeCode}) at connection age ${formatDuration(age)} (max age ${formatDuration(maxAgeMs)}); ${sent.length}/${sent.length} messages answered (${again} sent again on the next connection)`, valueMs: age };
  });
}

/** Bytes a client frame of this text takes on the wire (masked: 2–10 header bytes + 4 mask bytes). */
const frameBytes = (text: string): number => {
  const length = Buffer.byteLength(text);
  return length + 4 + (length < 126 ? 2 : length < 65_536 ? 4 : 10);
};

/**
 * Messages sent just before a close: a burst reaches the service (the proxy has passed every byte
 * on), then the service is asked to shut down (SIGTERM). It must answer what it received before its
 * closing handshake. The service is started again afterwards (the harness reconnects).
 */
export function messagesBeforeShutdown(subject: ServiceSubject, settings: ChatProbeSettings): Promise<ProbeOutcome> {
  return settleProbe(async () => {
    const { connection, path } = await connected(subject, settings);
    const before = path.bytes('up').forwarded;
    const messages = Array.from({ length: settings.burst }, (_, i) => subject.chat.send(`before close ${i + 1}`));
    const bytes = messages.reduce((sum, message) => sum + frameBytes(JSON.stringify({ type: 'message', id: message.id, text: message.text })), 0);
    const passed = await until(subject, `the proxy to pass the ${settings.burst} messages to the service`, settings.replyTimeoutMs, () => (path.bytes('up').forwarded >= before + bytes ? true : undefined));
    if (!passed) throw new Error(`the proxy did not pass the ${settings.burst} messages (${bytes} bytes) on within ${formatDuration(settings.replyTimeoutMs)}`);
    const stop = await stopSubject(subject, allowance(settings.closeWithinMs));
    await restartService(subject); // the client reconnects only once the old connection has closed
    const inTime = messages.filter((message) => message.answeredOn === connection.no);
    const how = `${stop.signal === 'SIGKILL' ? 'killed after the grace period' : `exited ${formatDuration(stop.durationMs)} after SIGTERM`}, connection closed with ${connection.closeCode}`;
    // Exiting without a closing handshake is no graceful shutdown: whether the burst was answered
    // before the process went is then a race with the signal (an A/A rolled back on it), not design.
    if (connection.closeCode === 1006) return { state: 'fail', detail: `closed the connection without a closing handshake (1006) on SIGTERM (${how}): no graceful shutdown; ${inTime.length}/${messages.length} answered before it went, by timing — a graceful service answers what it received and closes with a code (e.g. 1001)` };
    if (inTime.length < messages.length) return { state: 'fail', detail: `${messages.length - inTime.length} of ${messages.length} messages the service had received before SIGTERM were never answered before it closed the connection (${how})` };
    return { state: 'pass', detail: `${inTime.length}/${messages.length} answered before the close (${how}); restarted, reconnected`, valueMs: stop.durationMs };
  });
}
