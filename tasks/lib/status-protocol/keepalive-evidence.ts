import { formatDuration } from '../time/format-duration.ts';
import type { FrameLog } from './frame-log.ts';

/**
 * A pong slower than this is "late": a server whose event loop runs answers a ping within
 * milliseconds; one that is blocked answers only when the block ends. Generous, so a busy
 * machine does not turn an on-time pong into a late one (the measured delay is always shown).
 */
export const LATE_PONG_MS = 250;

/** One keepalive ping the harness sent, and when (if ever) its pong came. */
export interface PingOutcome {
  /** Since the socket opened. */
  sentMs: number;
  /** Since the socket opened; absent when no pong came (yet). */
  pongMs?: number;
  /** pong − ping. */
  delayMs?: number;
}

/** What the pings sent during a silence say about the server. */
export type PongVerdict =
  /** No ping was due during the silence: it cannot tell a blocked loop from a silent server. */
  | 'none-sent'
  /** Every ping was answered within LATE_PONG_MS: the server's event loop was running. */
  | 'on-time'
  /** A ping was answered, but only after LATE_PONG_MS or more: the loop was blocked until then. */
  | 'late'
  /** A ping got no pong at all (so far), for LATE_PONG_MS or longer. */
  | 'missing';

export interface PingEvidence {
  pings: PingOutcome[];
  verdict: PongVerdict;
  /** The slowest pong, or the longest a ping has waited unanswered at `untilMs`. */
  worstDelayMs: number;
}

/**
 * The pings sent after `fromMs` and up to `untilMs` (monotonic, `performance.now()` clock), each
 * paired with the first pong after it (the client has one ping in flight at a time). A pong
 * that came after `untilMs` still counts: a blocked server answers when the block ends.
 */
export function pingsDuring(log: FrameLog, fromMs: number, untilMs: number): PingEvidence {
  const origin = log.opened?.atMs ?? fromMs;
  const records = log.records;
  const pings: PingOutcome[] = [];
  for (const [index, record] of records.entries()) {
    if (record.direction !== 'out' || record.kind !== 'ping' || record.atMs <= fromMs || record.atMs > untilMs) continue;
    const pong = records.slice(index + 1).find((later) => later.direction === 'in' && later.kind === 'pong');
    const outcome: PingOutcome = { sentMs: record.atMs - origin };
    if (pong) {
      outcome.pongMs = pong.atMs - origin;
      outcome.delayMs = pong.atMs - record.atMs;
    }
    pings.push(outcome);
  }
  const waited = (ping: PingOutcome): number => ping.delayMs ?? untilMs - origin - ping.sentMs;
  // A ping sent a moment ago with no pong yet says nothing: only one unanswered for LATE_PONG_MS counts.
  const telling = pings.filter((ping) => ping.pongMs !== undefined || waited(ping) >= LATE_PONG_MS);
  const unanswered = telling.filter((ping) => ping.pongMs === undefined);
  const worstDelayMs = Math.max(0, ...telling.map(waited));
  let verdict: PongVerdict = 'on-time';
  if (telling.length === 0) verdict = 'none-sent';
  else if (unanswered.length > 0) verdict = 'missing';
  else if (worstDelayMs >= LATE_PONG_MS) verdict = 'late';
  return { pings, verdict, worstDelayMs };
}

const at = (ms: number): string => `+${(ms / 1000).toFixed(2)} s`;

/** `the keepalive ping sent at +20.00 s was answered at +25.00 s (5.00 s later)`, for every ping. */
export function describePings(evidence: PingEvidence): string {
  const parts = evidence.pings.map((ping) =>
    ping.pongMs === undefined ? `the ping sent at ${at(ping.sentMs)} got no pong` : `the ping sent at ${at(ping.sentMs)} was answered at ${at(ping.pongMs)} (${formatDuration(ping.delayMs ?? 0)} later)`,
  );
  if (parts.length <= 3) return `keepalive: ${parts.join(', ')}`;
  return `keepalive: ${parts.slice(0, 2).join(', ')}, … ${parts.length - 3} more, ${parts.at(-1) ?? ''}`;
}
