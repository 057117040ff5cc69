import type { Direction } from '../../fault-proxy/fault-spec.ts';
import { formatDuration } from '../../time/format-duration.ts';
import { settleProbe, type ProbeOutcome } from '../probe-outcome.ts';
import { answered, idle, stopSubject, until, type ChatSubject } from './chat-waits.ts';
import type { ProxyConnection } from '../../fault-proxy/proxy-connection.ts';
import { firstFrame, OPCODE, scanFrames } from './ws-frames.ts';

/** Timing expectations of the WebSocket kinds' probes (ms). */
export interface ChatProbeSettings {
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
  /** Messages sent just before a close. */
  burst: number;
}

/** Room for a loaded machine on top of a timing the subject promises: +25 % and +500 ms. */
export const allowance = (ms: number): number => ms * 1.25 + 500;

/**
 * When the subject's last connection closed (performance clock); undefined while one is open or
 * still closing, or before any opened.
 */
export function lastConnectionClosedMs(subject: ChatSubject): number | undefined {
  const { connections } = subject.chat;
  if (connections.length === 0 || connections.some((connection) => connection.closedMs === undefined)) return undefined;
  return Math.max(...connections.map((connection) => connection.closedMs as number));
}

/**
 * The subject's open connection and its path through the proxy. A probe starts only on an open
 * connection: after a previous probe closed or restarted things, it waits for one, and names it
 * when none comes. The wait is the reconnect allowance counted from when the last connection
 * closed (the subject's promise: reconnect within this after a close), so a subject that stays
 * disconnected is waited for once, not once more by every later probe and sample block.
 */
export async function connected(subject: ChatSubject, settings: ChatProbeSettings) {
  const find = () => {
    const connection = subject.chat.current();
    const path = subject.proxy.open().at(-1);
    return connection && path ? { connection, path } : undefined;
  };
  if (subject.crash) throw new Error(`the ${subject.role} ${subject.noun} ${subject.crash.detail}`);
  const budget = allowance(settings.reconnectWithinMs);
  const found = find();
  if (found) return found;
  const closedMs = lastConnectionClosedMs(subject);
  const remaining = closedMs === undefined ? budget : closedMs + budget - performance.now();
  const later = remaining > 0 ? await until(subject, `the ${subject.role} ${subject.noun} to have an open connection`, remaining, find) : undefined;
  if (!later) {
    const since = closedMs === undefined ? 'after the previous probe' : `after its last connection closed ${formatDuration(performance.now() - closedMs)} ago`;
    throw new Error(`the ${subject.role} ${subject.noun} has no open connection: none opened within ${formatDuration(budget)} ${since}`);
  }
  return later;
}

/**
 * The start of the stale-path probes: idle, then the proxy black-holes the subject's connection
 * both ways (no FIN, no RST) and a message is sent into it. `budget` is the detection allowance.
 */
export async function blackHoleAfterIdle(subject: ChatSubject, settings: ChatProbeSettings) {
  const { connection, path } = await connected(subject, settings);
  await idle(subject, settings.idleMs);
  const holed = performance.now();
  subject.proxy.setFault({ kind: 'blackhole' }, { connection: path.id });
  const message = subject.chat.send('first message after idle, into a dead path');
  return { connection, path, holed, message, budget: allowance(settings.detectWithinMs) };
}

/**
 * The signs a subject gives of having noticed a dead path, seen at the proxy on `direction` (its
 * bytes towards the harness): a close frame sent into the black hole (a closing handshake that
 * cannot complete), or its socket dropped. Pings sent into the hole are evidence, not noticing.
 */
export function deadPathSigns(path: ProxyConnection, direction: Direction) {
  const end = (): number | undefined => (direction === 'up' ? path.clientEnd() : path.targetEnd())?.monoMs;
  const closeFrame = (): number | undefined => firstFrame(path.swallowedChunks(direction), OPCODE.close);
  return {
    noticed: (): number | undefined => {
      const times = [closeFrame(), end()].filter((time): time is number => time !== undefined);
      return times.length ? Math.min(...times) : undefined;
    },
    dropped: end,
    how: (): string => {
      const frame = closeFrame();
      const dropped = end();
      return frame !== undefined && (dropped === undefined || frame <= dropped) ? 'close frame sent into the dead path' : 'socket dropped';
    },
    evidence: (holed: number): Record<string, unknown> => {
      const at = (time: number | undefined): number | null => (time === undefined ? null : Math.round(time - holed));
      return { closeFrameMs: at(closeFrame()), socketDroppedMs: at(end()), pingsIntoBlackHoleMs: scanFrames(path.swallowedChunks(direction)).filter((frame) => frame.opcode === OPCODE.ping).map((frame) => at(frame.monoMs)) };
    },
  };
}

/** The seed's critical test: after an idle period the first message must be answered. */
export function firstMessageAfterIdle(subject: ChatSubject, settings: ChatProbeSettings): Promise<ProbeOutcome> {
  return settleProbe(async () => {
    await connected(subject, settings);
    await idle(subject, settings.idleMs);
    const message = subject.chat.send('first message after idle');
    const replyMs = await answered(subject, message, settings.replyTimeoutMs);
    if (replyMs === undefined) return { state: 'fail', detail: `no answer within ${formatDuration(settings.replyTimeoutMs)} to the first message after ${formatDuration(settings.idleMs)} idle` };
    return { state: 'pass', detail: `answered in ${formatDuration(replyMs)} after ${formatDuration(settings.idleMs)} idle`, valueMs: replyMs };
  });
}

/**
 * After idle the first send resets the connection (a NAT or load balancer forgot it): the
 * proxy resets both sides on the first bytes going `direction` (towards the subject's peer);
 * a new connection must open and the message be answered on it.
 */
export function resetOnFirstSend(subject: ChatSubject, settings: ChatProbeSettings, direction: Direction): Promise<ProbeOutcome> {
  return settleProbe(async () => {
    const { connection, path } = await connected(subject, settings);
    await idle(subject, settings.idleMs);
    subject.proxy.setFault({ kind: 'reset-on-data' }, { connection: path.id, direction });
    const message = subject.chat.send('first message after idle, reset on the way');
    const budget = allowance(settings.reconnectWithinMs);
    const replyMs = await answered(subject, message, budget);
    const newer = subject.chat.connections.some((other) => other.no > connection.no);
    if (replyMs === undefined) return { state: 'fail', detail: `the reset message was not answered within ${formatDuration(budget)}${newer ? '' : ' and no new connection opened'}` };
    return { state: 'pass', detail: `reconnected and answered ${formatDuration(replyMs)} after the reset`, valueMs: replyMs, budgetMs: settings.reconnectWithinMs };
  });
}

/** One request/reply round trip (a latency sample); undefined when no answer came. */
export async function replySample(subject: ChatSubject, settings: ChatProbeSettings): Promise<number | undefined> {
  await connected(subject, settings);
  const message = subject.chat.send('ping');
  return await answered(subject, message, settings.replyTimeoutMs);
}

/**
 * Close on a dead path: the path goes black, then the subject is asked to stop (SIGTERM). Its close
 * must give up on the closing handshake within the close timeout, so it exits in time. Ends the subject.
 */
export function closeOnDeadPath(subject: ChatSubject, settings: ChatProbeSettings): Promise<ProbeOutcome> {
  return settleProbe(async () => {
    const { path } = await connected(subject, settings);
    subject.proxy.setFault({ kind: 'blackhole' }, { connection: path.id });
    const budget = allowance(settings.closeWithinMs);
    const stop = await stopSubject(subject, budget);
    if (stop.signal === 'SIGKILL') return { state: 'fail', detail: `close blocked on the dead path: still running ${formatDuration(budget)} after SIGTERM (close timeout ${formatDuration(settings.closeWithinMs)}), killed`, evidence: { stop } };
    return { state: 'pass', detail: `closed and exited ${formatDuration(stop.durationMs)} after SIGTERM with the path dead (close timeout ${formatDuration(settings.closeWithinMs)})`, valueMs: stop.durationMs, budgetMs: settings.closeWithinMs };
  });
}
