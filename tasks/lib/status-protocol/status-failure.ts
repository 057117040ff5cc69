import { HarnessError, type Evidence } from '../errors/harness-error.ts';
import { formatDuration } from '../time/format-duration.ts';
import type { FrameLog } from './frame-log.ts';
import { describePings, pingsDuring } from './keepalive-evidence.ts';

/** The typed ways a session can fail; each is a `HarnessError` code. */
export const SessionFailure = {
  /** TCP + WebSocket upgrade did not finish within the open timeout. */
  openTimeout: 'OPEN_TIMEOUT',
  /** Refused, unreachable, or the upgrade was answered with an HTTP status (401, 404…). */
  connectFailed: 'CONNECT_FAILED',
  /** The server sent `{"status": "error"}` (or `{"error"}`) during the handshake. */
  serverError: 'SERVER_ERROR',
  /** The socket closed before `ready` without an error frame (1006: crash; 1000: load failed). */
  closedDuringHandshake: 'CLOSED_DURING_HANDSHAKE',
  /** No frame within the per-message timeout. */
  messageTimeout: 'MESSAGE_TIMEOUT',
  /** A keepalive ping got no pong within the ping timeout. */
  keepaliveTimeout: 'KEEPALIVE_TIMEOUT',
  /** A TEXT frame, undecodable msgpack, a malformed array, an unknown status, a reply of the wrong shape. */
  protocolViolation: 'PROTOCOL_VIOLATION',
  /** The socket closed after `ready` (during inference). */
  connectionClosed: 'CONNECTION_CLOSED',
  /** The harness ended the session (its abort signal: Ctrl-C, SIGTERM): never the server's failure. */
  aborted: 'SESSION_ABORTED',
} as const;

/**
 * What the harness concludes from how a session ended. These name the failure modes the
 * protocol spec describes, so a report says which one it saw.
 */
export type Diagnosis =
  /** No frames and no pongs: the server loads in-process and blocks its event loop. */
  | 'event-loop-blocked'
  /** Pongs still come but status frames stopped for longer than the limit. */
  | 'updates-stopped'
  /** Periodic status frames came, but with a gap above the keepalive. */
  | 'gap-above-keepalive'
  /** No frame, and no ping was due that would tell the two above apart. */
  | 'silent'
  /** Connection dropped without a close frame (1006): the server process died. */
  | 'crash'
  /** Closed cleanly before ready without an error frame: the load raised. */
  | 'closed-without-error'
  /** Closed with 1008 before any frame: refused (token). */
  | 'refused'
  | 'server-error'
  | 'protocol-violation'
  | 'unreachable'
  | 'keepalive-lost'
  /** The harness ended the session itself (shutdown): nothing is known about the server. */
  | 'aborted'
  /** Training stream: the socket stayed open but no message came within the per-message timeout. */
  | 'stream-stalled';

export interface CloseInfo {
  code: number;
  reason: string;
  atMs: number;
}

export interface FailureContext {
  log: FrameLog;
  url: string;
  model: string | undefined;
  phase: string;
  close?: CloseInfo | undefined;
  diagnosis?: Diagnosis;
  hint?: string;
  extra?: Evidence;
}

/** A session failure with the evidence every one of them carries: frame timeline, close code, silence. */
export function sessionFailure(code: string, message: string, context: FailureContext): HarnessError {
  const { log } = context;
  const sinceLast = log.sinceLastFrameMs();
  const last = log.lastInbound();
  const opened = log.opened;
  const evidence: Evidence = {
    url: context.url,
    model: context.model ?? null,
    phase: context.phase,
    diagnosis: context.diagnosis ?? null,
    closeCode: context.close?.code ?? null,
    closeReason: context.close?.reason ?? null,
    sinceLastFrameMs: sinceLast === undefined ? null : Math.round(sinceLast),
    lastObserved: last ? last.summary : opened ? 'no frame since the socket opened' : 'the socket never opened',
    waitedMs: opened ? Math.round(performance.now() - opened.atMs) : undefined,
    framesReceived: log.inbound().length,
    largestGap: log.largestGap() ?? null,
    ...log.toEvidence(),
    ...context.extra,
  };
  return new HarnessError(code, message, { evidence, hint: context.hint });
}

/**
 * The sentence that tells a blocked event loop from stopped updates, from the keepalive pings
 * sent since the last frame: none answered (blocked), answered (alive, but silent), none sent.
 */
export function diagnoseSilence(log: FrameLog, pingIntervalMs: number): { diagnosis: Diagnosis; text: string } {
  const last = log.lastInbound() ?? log.opened;
  const since = last === log.opened ? 'the socket opened' : 'the last frame';
  const evidence = pingsDuring(log, last?.atMs ?? 0, performance.now());
  const n = evidence.pings.length;
  const pings = n === 1 ? 'the keepalive ping' : `the ${n} keepalive pings`;
  if (evidence.verdict === 'missing') {
    const answered = evidence.pings.filter((ping) => ping.pongMs !== undefined).length;
    const unanswered = n === 1 ? `the keepalive ping sent since ${since} got no pong` : `none of the ${n} keepalive pings sent since ${since} got a pong`;
    return {
      diagnosis: 'event-loop-blocked',
      text: `${answered === 0 ? unanswered : `${describePings(evidence)}`}: the server blocks its event loop while loading (no frames, no pongs), e.g. it loads the model in-process`,
    };
  }
  if (evidence.verdict === 'on-time' || evidence.verdict === 'late') {
    return { diagnosis: 'updates-stopped', text: `it answered ${pings} sent since ${since} (${describePings(evidence)}): the server is alive but sends no status updates during the load` };
  }
  return { diagnosis: 'silent', text: `no keepalive ping was due since ${since} (ping interval ${formatDuration(pingIntervalMs)}), so a blocked event loop cannot be told from missing updates` };
}

/** How a close before `ready` reads, from its code. */
export function describeHandshakeClose(close: CloseInfo, sinceLastMs: number | undefined, since = 'the last frame'): { diagnosis: Diagnosis; text: string; hint?: string } {
  const after = sinceLastMs === undefined ? '' : ` ${formatDuration(sinceLastMs)} after ${since}`;
  if (close.code === 1006) {
    return {
      diagnosis: 'crash',
      text: `the connection dropped without a close frame (1006)${after}: the server crashed or was killed during loading — not a slow load (a slow load keeps sending frames, or at worst times out)`,
      hint: 'look at the server log for the crash (OOM killer, segfault, unhandled exception)',
    };
  }
  if (close.code === 1008) {
    return { diagnosis: 'refused', text: `the server refused the session (1008 ${JSON.stringify(close.reason)}) without an error frame`, hint: 'check --token' };
  }
  return {
    diagnosis: 'closed-without-error',
    text: `the server closed the connection (${close.code} ${JSON.stringify(close.reason)})${after} before ready without an error frame: its load most likely raised`,
    hint: 'a server should send {"status": "error", "error": ...} and close with 1008; see its log for the exception',
  };
}
