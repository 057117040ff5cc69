import { loadUndici } from './undici-loader.ts';
import { HarnessError } from '../errors/harness-error.ts';
import { shutdownAbortSignal } from '../process/guard-registry.ts';
import { formatDuration } from '../time/format-duration.ts';

export interface HttpRequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'HEAD';
  headers?: Record<string, string>;
  /** Sent as JSON with `content-type: application/json`. */
  json?: unknown;
  /** Sent as is. */
  body?: string | Buffer;
  /** Per-request limit for connect + headers + body. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Larger answers are not read to the end (a server streaming without end cannot fill the harness's memory). */
  maxBodyBytes?: number;
}

export interface HttpResponse {
  url: string;
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  durationMs: number;
}

/** Why a request got no HTTP answer at all. */
/** `too-large`: an answer came, but its body was above the limit and was not read to the end. */
export type NetworkFailureKind = 'refused' | 'timeout' | 'reset' | 'aborted' | 'too-large' | 'error';

export interface NetworkFailure {
  kind: NetworkFailureKind;
  code: string | undefined;
  message: string;
  durationMs: number;
}

export type HttpOutcome = { ok: true; response: HttpResponse } | { ok: false; failure: NetworkFailure };

export const DEFAULT_REQUEST_TIMEOUT_MS = 5000;
export const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;

export function errorCode(error: unknown): string | undefined {
  const e = error as { code?: string; cause?: { code?: string }; name?: string };
  return e.code ?? e.cause?.code ?? (e.name === 'TimeoutError' || e.name === 'AbortError' ? e.name : undefined);
}

export function classifyNetworkError(error: unknown, aborted: boolean): NetworkFailureKind {
  const code = errorCode(error);
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'EADDRNOTAVAIL') return 'refused';
  if (code === 'TimeoutError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') return 'timeout';
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET' || code === 'UND_ERR_CLOSED') return 'reset';
  if (aborted || code === 'AbortError' || code === 'ABORT_ERR') return 'aborted';
  return 'error';
}

export function requestHeaders(options: HttpRequestOptions): { headers: Record<string, string>; body: string | Buffer | undefined } {
  if (options.json === undefined) return { headers: options.headers ?? {}, body: options.body };
  return { headers: { 'content-type': 'application/json', ...options.headers }, body: JSON.stringify(options.json) };
}

/** Sends one request; never throws for network trouble, returns what happened instead. */
export async function tryHttp(url: string, options: HttpRequestOptions = {}): Promise<HttpOutcome> {
  const timeoutMs = Math.max(1, Math.ceil(options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS));
  const started = performance.now();
  const timeout = AbortSignal.timeout(timeoutMs);
  const shutdown = shutdownAbortSignal(); // Ctrl-C: requests end before the processes are stopped
  const signal = AbortSignal.any([timeout, shutdown, ...(options.signal ? [options.signal] : [])]);
  const { headers, body } = requestHeaders(options);
  try {
    const { request } = await loadUndici();
    const res = await request(url, { method: options.method ?? (body === undefined ? 'GET' : 'POST'), headers, body, signal, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
    const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    const tooLarge = (): HttpOutcome => {
      res.body.destroy();
      const message = `HTTP ${res.statusCode} with a body above ${limit} bytes (${res.headers['content-length'] ? `content-length ${String(res.headers['content-length'])}` : 'no content-length'}); stopped reading`;
      return { ok: false, failure: { kind: 'too-large', code: 'HTTP_BODY_TOO_LARGE', message, durationMs: performance.now() - started } };
    };
    if (Number(res.headers['content-length']) > limit) return tooLarge(); // announced: not a byte read
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body) {
      size += (chunk as Buffer).length;
      if (size > limit) return tooLarge();
      chunks.push(chunk as Buffer);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    return { ok: true, response: { url, status: res.statusCode, headers: res.headers, text, durationMs: performance.now() - started } };
  } catch (error) {
    const kind = timeout.aborted ? 'timeout' : classifyNetworkError(error, (options.signal?.aborted ?? false) || shutdown.aborted);
    const message = kind === 'timeout' ? `no answer within ${formatDuration(timeoutMs)}` : `${errorCode(error) ?? ''} ${(error as Error).message}`.trim();
    return { ok: false, failure: { kind, code: errorCode(error), message, durationMs: performance.now() - started } };
  }
}

/** Sends one request and throws `HTTP_UNREACHABLE` when no answer came. */
export async function http(url: string, options: HttpRequestOptions = {}): Promise<HttpResponse> {
  const outcome = await tryHttp(url, options);
  if (outcome.ok) return outcome.response;
  throw new HarnessError('HTTP_UNREACHABLE', `${options.method ?? 'GET'} ${url}: ${outcome.failure.kind} (${outcome.failure.message})`, {
    evidence: { url, failure: outcome.failure },
  });
}

/** Parses the body as JSON or throws `HTTP_BAD_JSON` quoting what came back. */
export function parseJsonBody<T = unknown>(response: HttpResponse): T {
  try {
    return JSON.parse(response.text) as T;
  } catch {
    throw new HarnessError('HTTP_BAD_JSON', `${response.url} answered ${response.status} with a body that is not JSON: ${response.text.slice(0, 200)}`, {
      evidence: { url: response.url, status: response.status, body: response.text.slice(0, 2000) },
    });
  }
}
