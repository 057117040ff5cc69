import { connect } from 'node:net';
import { classifyNetworkError, errorCode, type NetworkFailureKind } from './http-client.ts';

/** What one TCP connect to the host and port of a URL found: accepted, or why not. */
export type ConnectOutcome = { kind: 'accepted'; durationMs: number } | { kind: NetworkFailureKind; code: string | undefined; message: string; durationMs: number };

/** Host and port a URL's requests connect to (`[::1]` without brackets, the scheme's default port). */
export function connectTarget(url: string): { host: string; port: number } {
  const target = new URL(url);
  return { host: target.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(target.port || (target.protocol === 'https:' ? 443 : 80)) };
}

/**
 * Opens a TCP connection to a URL's host and port and closes it at once: is anything listening?
 * Far cheaper than an HTTP request (no client, no parser; a refused connect is answered by the
 * kernel), so a readiness wait can ask it every few ms while nothing listens yet. Never throws.
 */
export function tryConnect(target: { host: string; port: number }, options: { timeoutMs: number; signal?: AbortSignal }): Promise<ConnectOutcome> {
  const started = performance.now();
  return new Promise((resolve) => {
    if (options.signal?.aborted) return resolve({ kind: 'aborted', code: 'AbortError', message: 'aborted before connecting', durationMs: 0 });
    const socket = connect({ host: target.host, port: target.port });
    const done = (outcome: ConnectOutcome): void => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(outcome);
    };
    const onAbort = (): void => done({ kind: 'aborted', code: 'AbortError', message: 'aborted while connecting', durationMs: performance.now() - started });
    const timer = setTimeout(() => done({ kind: 'timeout', code: 'TimeoutError', message: `no connection within ${options.timeoutMs} ms`, durationMs: performance.now() - started }), options.timeoutMs);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => done({ kind: 'accepted', durationMs: performance.now() - started }));
    socket.once('error', (error) => done({ kind: classifyNetworkError(error, false), code: errorCode(error), message: `${errorCode(error) ?? ''} ${error.message}`.trim(), durationMs: performance.now() - started }));
  });
}
