import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { loadUndici } from './undici-loader.ts';
import { HarnessError } from '../errors/harness-error.ts';
import { shutdownAbortSignal } from '../process/guard-registry.ts';
import { formatDuration } from '../time/format-duration.ts';
import { classifyNetworkError, requestHeaders, type HttpRequestOptions } from './http-client.ts';

export interface TimedSseEvent extends EventSourceMessage {
  /** Milliseconds since the request was sent. */
  atMs: number;
  /** Which read of the body delivered it (0, 1, …): events of one read arrived together, whatever the server's timing. */
  read: number;
}

export interface SseResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  events: TimedSseEvent[];
  /** The body of an answer that is not a success (an error answer is not an event stream): its first bytes, as text. */
  errorBody?: string;
  /** Time to the response headers. */
  headersMs: number;
  durationMs: number;
}

/** How much of an error answer's body is kept: enough for any error message, bounded for a server that never ends it. */
const ERROR_BODY_BYTES = 8 * 1024;

/**
 * Sends a request and reads a `text/event-stream` answer to its end, timestamping every event.
 * An answer that is not a 2xx is read as text instead (its first bytes, in `errorBody`).
 * `onEvent` returning `'stop'` ends reading early (for a `[DONE]` terminator).
 */
export async function readSse(url: string, options: HttpRequestOptions & { onEvent?: (event: TimedSseEvent) => void | 'stop' } = {}): Promise<SseResult> {
  const timeoutMs = Math.max(1, Math.ceil(options.timeoutMs ?? 30_000));
  const started = performance.now();
  const timeout = AbortSignal.timeout(timeoutMs);
  const controller = new AbortController();
  const shutdown = shutdownAbortSignal(); // Ctrl-C: the stream is closed before the server is stopped
  const signal = AbortSignal.any([timeout, controller.signal, shutdown, ...(options.signal ? [options.signal] : [])]);
  const { headers, body } = requestHeaders(options);
  const events: TimedSseEvent[] = [];
  let headersMs = 0;
  try {
    const { request } = await loadUndici();
    const res = await request(url, { method: options.method ?? 'POST', headers: { accept: 'text/event-stream', ...headers }, body, signal, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
    headersMs = performance.now() - started;
    if (res.statusCode < 200 || res.statusCode >= 300) {
      const errorBody = await readPrefix(res.body, ERROR_BODY_BYTES);
      controller.abort();
      return { status: res.statusCode, headers: res.headers, events, errorBody, headersMs, durationMs: performance.now() - started };
    }
    let stopped = false;
    let read = -1;
    const parser = createParser({
      onEvent(message) {
        if (stopped) return;
        const event = { ...message, atMs: performance.now() - started, read };
        events.push(event);
        if (options.onEvent?.(event) === 'stop') stopped = true;
      },
    });
    const decoder = new TextDecoder();
    for await (const chunk of res.body) {
      read += 1;
      parser.feed(decoder.decode(chunk as Buffer, { stream: true }));
      if (stopped) break;
    }
    if (stopped) controller.abort();
    return { status: res.statusCode, headers: res.headers, events, headersMs, durationMs: performance.now() - started };
  } catch (error) {
    const kind = timeout.aborted ? 'timeout' : classifyNetworkError(error, shutdown.aborted || (options.signal?.aborted ?? false));
    if (shutdown.aborted) {
      // The harness closed it (Ctrl-C): what the harness did, not a stream failure.
      const why = shutdown.reason instanceof Error ? shutdown.reason.message : 'interrupted';
      throw new HarnessError('STREAM_ABORTED', `${options.method ?? 'POST'} ${url}: the harness closed the stream (${why}) after ${events.length} event(s): not a server failure`, { evidence: { url, kind: 'aborted', events: events.slice(-20) }, cause: error });
    }
    const last = events.at(-1);
    // A stream that went quiet and stayed open says so: how long nothing came after its last event.
    const silence = kind === 'timeout' && last ? `; the last at +${formatDuration(last.atMs)}, then nothing for ${formatDuration(performance.now() - started - last.atMs)} with the connection open` : '';
    throw new HarnessError('SSE_FAILED', `${options.method ?? 'POST'} ${url}: stream ${kind === 'timeout' ? `not finished within ${formatDuration(timeoutMs)}` : `failed (${kind}: ${(error as Error).message})`} after ${events.length} event(s)${silence}`, {
      evidence: { url, kind, events: events.slice(-20), ...(last ? { lastEventMs: Math.round(last.atMs) } : {}) },
      ...(silence ? { hint: 'the server stopped sending mid-stream and kept the connection open: it must send every token and then end the stream; if it only generates that slowly, raise --inference-timeout' } : {}),
      cause: error,
    });
  }
}

/** The first `limit` bytes of a body, as text; the rest is not read. */
async function readPrefix(body: AsyncIterable<unknown>, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk as Buffer);
    size += (chunk as Buffer).length;
    if (size >= limit) break;
  }
  return new TextDecoder().decode(Buffer.concat(chunks).subarray(0, limit));
}
