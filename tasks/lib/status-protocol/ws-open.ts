import type { ClientRequest, IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import type { Evidence, HarnessError } from '../errors/harness-error.ts';
import { formatDuration } from '../time/format-duration.ts';
import type { FrameLog } from './frame-log.ts';
import { SessionFailure, type Diagnosis } from './status-failure.ts';

export type FailureFactory = (code: string, message: string, options: { diagnosis?: Diagnosis; hint?: string; extra?: Evidence }) => HarnessError;

export interface WsOpenOptions {
  url: string;
  headers: Record<string, string>;
  maxPayload: number;
  /** TCP connect + WebSocket upgrade. */
  openTimeoutMs: number;
  /** The session's frame log: gets the `open` record. */
  log: FrameLog;
  /** `performance.now()` when the session began, for the connect time. */
  startedAt: number;
  /** Adds the session's own listeners right after the socket is created, before any event. */
  attach: (socket: WebSocket) => void;
  /** Runs inside the `open` event, before any frame can be delivered. */
  onOpen?: (socket: WebSocket, localPort: number | undefined) => void;
  /** Aborting it ends the opening at once with `abortError()` (the harness is shutting down). */
  signal?: AbortSignal | undefined;
  abortError?: () => HarnessError;
  /** Runs when opening failed, before the socket is dropped. */
  onFailure?: (error: HarnessError) => void;
  /** Builds the typed failure with the session's evidence. */
  failure: FailureFactory;
  /** What a 404 on the upgrade most likely means for this protocol. */
  notFoundHint: string;
}

export interface WsOpened {
  socket: WebSocket;
  localPort: number | undefined;
  connectMs: number;
}

/**
 * Opens a WebSocket for a protocol session: the shared part of every session client. Fails with
 * `OPEN_TIMEOUT` when connect + upgrade take longer than the open timeout, and `CONNECT_FAILED`
 * when the connection is refused or the upgrade is answered with an HTTP status (its body is
 * evidence). Errors after the socket opened are the session's to handle.
 */
export function openWebSocket(options: WsOpenOptions): Promise<WsOpened> {
  return new Promise((resolve, reject) => {
    const aborted = (): HarnessError => options.abortError?.() ?? options.failure('SESSION_ABORTED', `opening ${options.url} was aborted`, { diagnosis: 'aborted' });
    if (options.signal?.aborted) {
      reject(aborted());
      return;
    }
    let settled = false;
    let localPort: number | undefined;
    const onAbort = (): void => settle(aborted());
    const settle = (error?: HarnessError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      if (!error) return resolve({ socket, localPort, connectMs: performance.now() - options.startedAt });
      options.onFailure?.(error); // before terminate(): its close event must find the session failed
      socket.terminate();
      reject(error);
    };
    const socket = new WebSocket(options.url, { headers: options.headers, maxPayload: options.maxPayload });
    options.attach(socket);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => {
      settle(options.failure(SessionFailure.openTimeout, `connecting to ${options.url} did not finish within the open timeout of ${formatDuration(options.openTimeoutMs)} (TCP connect + WebSocket upgrade)`, {
        diagnosis: 'unreachable',
        hint: 'is the server up and accepting connections? a server that blocks its event loop cannot answer the upgrade either',
      }));
    }, options.openTimeoutMs);

    socket.on('upgrade', (response: IncomingMessage) => {
      localPort = response.socket.localPort;
    });
    socket.on('open', () => {
      options.log.record('local', 'open', 0, `socket open (local port ${localPort ?? '?'}, ${formatDuration(performance.now() - options.startedAt)} to connect)`);
      options.onOpen?.(socket, localPort);
      settle();
    });
    socket.on('unexpected-response', (request: ClientRequest, response: IncomingMessage) => {
      const status = response.statusCode ?? 0;
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body = (body + chunk).slice(0, 2000)));
      const finish = (): void => {
        request.destroy();
        const hint = status === 401 || status === 403 ? 'the server wants a token: pass --token' : status === 404 ? options.notFoundHint : undefined;
        settle(options.failure(SessionFailure.connectFailed, `the WebSocket upgrade of ${options.url} was answered with HTTP ${status} ${response.statusMessage ?? ''}${body ? `: ${body.slice(0, 200)}` : ''}`.trim(), { diagnosis: 'refused', hint, extra: { httpStatus: status, body } }));
      };
      response.on('end', finish);
      response.on('error', finish);
      setTimeout(finish, 1000).unref();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (settled) return;
      const code = error.code ?? '';
      settle(options.failure(SessionFailure.connectFailed, `could not connect to ${options.url}: ${code ? `${code} ` : ''}${error.message}`, {
        diagnosis: 'unreachable',
        hint: code === 'ECONNREFUSED' ? 'nothing listens there: is the server running, on that port?' : undefined,
        extra: { errorCode: code || null },
      }));
    });
  });
}
