import { formatDuration } from '../time/format-duration.ts';
import type { FrameGap, FrameLog } from './frame-log.ts';
import { describePings, pingsDuring, type PingEvidence } from './keepalive-evidence.ts';
import type { Diagnosis } from './status-failure.ts';

/** The client settings a session ran with, to say which clients a server's behaviour breaks. */
export interface ClientLimits {
  keepaliveMs: number;
  messageTimeoutMs: number;
  pingIntervalMs: number;
  pingTimeoutMs: number;
}

export interface GapDiagnosis {
  diagnosis: Diagnosis;
  /** What the frames show (periodic or not). */
  frames: string;
  /** What the pings show (on time, late, missing, none sent) and what that means. */
  pings: string;
  /** Which client settings this silence breaks, and which it does not. */
  breaks: string;
  hint: string;
  pingEvidence: PingEvidence;
}

const TIME_BASED_HINT = 'send a loading frame whenever ~5 s have passed since the previous one (time-based, checked every second), so no gap reaches the keepalive';

function atMsOf(log: FrameLog, seq: number): number | undefined {
  return log.records.find((record) => record.seq === seq)?.atMs;
}

/**
 * Why a session that did reach `ready` went silent for `gap`, from the evidence only: whether
 * status frames were periodic (more than one) or not, and whether the keepalive pings sent
 * during the silence were answered at once (the server was alive), late (its event loop was
 * blocked until then), or not at all; and so which client settings the silence breaks.
 */
export function diagnoseGap(log: FrameLog, gap: FrameGap, statusFrames: readonly { status: string }[], limits: ClientLimits): GapDiagnosis {
  const fromMs = atMsOf(log, gap.from.seq) ?? 0;
  const toMs = atMsOf(log, gap.to.seq) ?? fromMs + gap.ms;
  const pingEvidence = pingsDuring(log, fromMs, toMs);
  const periodic = statusFrames.length >= 2;
  const frames = periodic
    ? `The server does send periodic status frames (${statusFrames.length} before ready), but with this gap between two of them`
    : statusFrames[0]
      ? `No periodic status frames: one ${statusFrames[0].status} frame, then nothing until ready`
      : 'No status frame at all: the socket opened, then nothing until ready';
  const gapText = formatDuration(gap.ms);
  const thisClient = `per-message timeout ${formatDuration(limits.messageTimeoutMs)}, pings every ${formatDuration(limits.pingIntervalMs)} with a ${formatDuration(limits.pingTimeoutMs)} pong timeout`;
  let diagnosis: Diagnosis;
  let pings: string;
  let keepaliveBreaks: string;
  let hint: string;
  switch (pingEvidence.verdict) {
    case 'late':
    case 'missing':
      diagnosis = 'event-loop-blocked';
      pings = `${describePings(pingEvidence)}: the server's event loop was blocked (no frames and no pongs until it ended), e.g. it loads the model in-process`;
      keepaliveBreaks = `a pong timeout under ${gapText} when its ping falls early in the block`;
      hint = `load the model off the event loop (a thread or subprocess) and ${TIME_BASED_HINT}`;
      break;
    case 'on-time':
      diagnosis = periodic ? 'gap-above-keepalive' : 'updates-stopped';
      pings = `${describePings(pingEvidence)}: the server was alive (its event loop answered at once)${periodic ? ', its periodic updates just left a gap (like the old int(elapsed) % 5 bug)' : ' but sends no periodic status frames while it loads'}`;
      keepaliveBreaks = 'not a client for its ping keepalive (its pings were answered at once)';
      hint = periodic ? `${TIME_BASED_HINT}, not when int(elapsed) % 5 == 0` : TIME_BASED_HINT;
      break;
    default:
      diagnosis = periodic ? 'gap-above-keepalive' : 'silent';
      pings = `no keepalive ping was due during the gap (ping interval ${formatDuration(limits.pingIntervalMs)}), so a blocked event loop cannot be told from a server that just sent nothing`;
      keepaliveBreaks = `a pong timeout under ${gapText} if the server's loop was blocked (not known)`;
      hint = TIME_BASED_HINT;
  }
  const breaks = `Clients it breaks: a per-message timeout under ${gapText}; ${keepaliveBreaks}. It did not break this client (${thisClient}), which got ready`;
  return { diagnosis, frames, pings, breaks, hint, pingEvidence };
}
