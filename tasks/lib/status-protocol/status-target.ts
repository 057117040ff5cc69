import type { SessionClientOptions, StatusFrame } from './session-client.ts';

/** The client-side limits a run uses, in milliseconds (the task's flags are in seconds). */
export interface StatusTiming {
  openTimeoutMs: number;
  pingIntervalMs: number;
  pingTimeoutMs: number;
  messageTimeoutMs: number;
  /** A gap between status frames above this fails the cold start (upstream keepalive: 20 s). */
  keepaliveMs: number;
  maxPayload: number;
}

/** The policy server under test and how to talk to it. */
export interface StatusTarget {
  /** `ws://host:port` */
  baseUrl: string;
  /** Model for the cold/warm sessions; the server's default when absent. */
  model?: string | undefined;
  token?: string | undefined;
  timing: StatusTiming;
  /** Live progress for status frames (`[loading] Loading policy... (+1.00 s)`). */
  onStatus?: (label: string, frame: StatusFrame) => void;
  /** Ends every session when aborted: the task passes `shutdownAbortSignal()`. */
  signal?: AbortSignal | undefined;
}

export function sessionOptions(target: StatusTarget, label: string, model: string | undefined = target.model): SessionClientOptions {
  const { timing } = target;
  return {
    url: target.baseUrl,
    model,
    token: target.token,
    label,
    openTimeoutMs: timing.openTimeoutMs,
    pingIntervalMs: timing.pingIntervalMs,
    pingTimeoutMs: timing.pingTimeoutMs,
    messageTimeoutMs: timing.messageTimeoutMs,
    maxPayload: timing.maxPayload,
    warnGapMs: timing.keepaliveMs,
    onStatus: target.onStatus ? (frame) => target.onStatus?.(label, frame) : undefined,
    ...(target.signal ? { signal: target.signal } : {}),
  };
}
