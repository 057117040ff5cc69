import { HarnessError } from '../errors/harness-error.ts';
import { parseJsonBody, tryHttp } from '../http/http-client.ts';
import { readSse, type TimedSseEvent } from '../http/sse-client.ts';
import { shutdownAbortSignal } from '../process/guard-registry.ts';
import type { InferenceEndpoint, InferenceRequestStyle } from './worker-profile.ts';

export interface InferenceRequest {
  prompt: string;
  maxTokens: number;
  temperature: number;
  jobId: string;
  /** Model name for OpenAI-style requests. */
  model: string;
  timeoutMs: number;
  /** Sent with the request (an API key). */
  headers?: Record<string, string>;
  /** Aborts the request (the worker died, Ctrl-C). */
  signal?: AbortSignal;
}

/**
 * The worker's own account of a generation, when its answer carries one: llama.cpp's `timings`
 * (`prompt_ms`: prompt → first token, `predicted_ms`: generation, `predicted_per_second`).
 */
export interface ServerTimings {
  promptN?: number;
  promptMs?: number;
  predictedN?: number;
  predictedMs?: number;
  predictedPerSecond?: number;
}

/** Where a token count came from: the server's own count (`tokens_predicted`, `usage`, `tokens`), or the token events the client counted. */
export type TokenSource = 'server' | 'events';

/** What one inference call produced, judged. */
export interface InferenceResult {
  streamed: boolean;
  text: string;
  tokens: number;
  finishReason: string | undefined;
  /** Time to the first token (streams) or to the whole answer (JSON). */
  firstTokenMs: number;
  durationMs: number;
  events?: number;
  /** Events that carried text (a stream: may be fewer than tokens when the server holds back partial UTF-8). */
  tokenEvents?: number;
  tokenSource: TokenSource;
  /** Time of the last token event (streams): with the first, the client's view of the generation phase. */
  lastTokenMs?: number;
  /** Reads of the body that delivered token events (streams): fewer than the events when they arrived bunched. */
  tokenReads?: number;
  serverTimings?: ServerTimings;
}

const num = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);

/** llama.cpp's `timings` object (also sent by llama-server on its OpenAI routes). */
export function readTimings(value: unknown): ServerTimings | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const t = value as Record<string, unknown>;
  const timings: ServerTimings = { promptN: num(t.prompt_n), promptMs: num(t.prompt_ms), predictedN: num(t.predicted_n), predictedMs: num(t.predicted_ms), predictedPerSecond: num(t.predicted_per_second) };
  return Object.values(timings).some((v) => v !== undefined) ? timings : undefined;
}

/** The server's count of generated tokens in a final event or answer, per style. */
function serverTokenCount(style: InferenceRequestStyle, body: Record<string, unknown>): number | undefined {
  if (style === 'seed') return num(body.tokens);
  if (style === 'llama-completion') return num(body.tokens_predicted) ?? num((body.timings as Record<string, unknown> | undefined)?.predicted_n);
  return num((body.usage as Record<string, unknown> | undefined)?.completion_tokens);
}

function bodyFor(style: InferenceRequestStyle, request: InferenceRequest, stream: boolean): Record<string, unknown> {
  if (style === 'seed') return { job_id: request.jobId, prompt: request.prompt, max_tokens: request.maxTokens, temperature: request.temperature, ...(stream ? { stream: true } : {}) };
  if (style === 'llama-completion') return { prompt: request.prompt, n_predict: request.maxTokens, temperature: request.temperature, stream };
  // stream_options.include_usage: the OpenAI way to get the server's token count in a stream.
  return { model: request.model, prompt: request.prompt, max_tokens: request.maxTokens, temperature: request.temperature, stream, ...(stream ? { stream_options: { include_usage: true } } : {}) };
}

const invalid = (url: string, message: string, evidence: Record<string, unknown>): HarnessError => new HarnessError('INFERENCE_INVALID', `${url}: ${message}`, { evidence: { url, ...evidence } });

interface ReadEvent {
  text?: string;
  token?: boolean;
  done?: boolean;
  finish?: string;
  /** The server's own count of generated tokens, when this event carries it. */
  serverTokens?: number;
  timings?: ServerTimings;
}

/** Text and token count of one streamed event, per style; `done` for the terminator. */
function readEvent(style: InferenceRequestStyle, data: string): ReadEvent {
  if (data.trim() === '[DONE]') return { done: true };
  let event: Record<string, unknown>;
  try {
    event = JSON.parse(data) as Record<string, unknown>;
  } catch {
    return {}; // other event payloads are tolerated
  }
  const counted = { serverTokens: serverTokenCount(style, event), timings: readTimings(event.timings) };
  if (style === 'seed') {
    if (event.type === 'token' && typeof event.t === 'string') return { text: event.t, token: true };
    if (event.type === 'end' && typeof event.finish_reason === 'string') return { finish: event.finish_reason, ...counted };
    return {};
  }
  if (style === 'llama-completion') {
    const text = typeof event.content === 'string' ? event.content : '';
    if (event.stop === true) return { text, token: text !== '', done: true, finish: typeof event.stop_type === 'string' ? event.stop_type : undefined, ...counted };
    return { text, token: true };
  }
  const choice = Array.isArray(event.choices) ? (event.choices[0] as Record<string, unknown> | undefined) : undefined;
  // The usage chunk (stream_options.include_usage) has no choice.
  if (!choice || typeof choice.text !== 'string') return counted;
  const finish = typeof choice.finish_reason === 'string' ? choice.finish_reason : undefined;
  // A chunk per token (or per group of tokens: partial UTF-8 held back); a closing chunk may carry only the finish reason.
  return { text: choice.text, token: choice.text !== '' || finish === undefined, ...(finish ? { finish } : {}), ...counted };
}

async function streamed(url: string, endpoint: InferenceEndpoint, request: InferenceRequest): Promise<InferenceResult> {
  const started = performance.now();
  let text = '';
  let tokens = 0;
  let finishReason: string | undefined;
  let done = false;
  let firstTokenMs = 0;
  let lastTokenMs = 0;
  const tokenReads = new Set<number>();
  let serverTokens: number | undefined;
  let serverTimings: ServerTimings | undefined;
  const result = await readSse(url, {
    json: bodyFor(endpoint.request, request, true),
    timeoutMs: request.timeoutMs,
    ...(request.headers ? { headers: request.headers } : {}),
    ...(request.signal ? { signal: request.signal } : {}),
    onEvent: (event: TimedSseEvent) => {
      const read = readEvent(endpoint.request, event.data);
      if (read.token) {
        tokens += 1;
        if (tokens === 1) firstTokenMs = event.atMs;
        lastTokenMs = event.atMs;
        tokenReads.add(event.read);
      }
      serverTokens = read.serverTokens ?? serverTokens;
      serverTimings = read.timings ?? serverTimings;
      text += read.text ?? '';
      finishReason = read.finish ?? finishReason;
      if (read.done) {
        done = true;
        return 'stop';
      }
      return undefined;
    },
  });
  const evidence = { status: result.status, events: result.events.slice(0, 5).map((event) => event.data), lastEvents: result.events.slice(-3).map((event) => event.data), ...(result.errorBody !== undefined ? { body: result.errorBody.slice(0, 2000) } : {}) };
  if (result.status !== 200) throw answeredError(url, result.status, result.errorBody ?? result.events.map((event) => event.data).join('\n'), evidence, request);
  const type = String(result.headers['content-type'] ?? '');
  if (!type.startsWith('text/event-stream')) throw invalid(url, `expected content-type text/event-stream, got '${type}'`, evidence);
  if (tokens === 0) throw invalid(url, `stream ended after ${result.events.length} event(s) without a token`, evidence);
  if (!done && endpoint.request !== 'llama-completion') throw invalid(url, `stream ended without the [DONE] terminator (${tokens} tokens seen)`, evidence);
  if (!done) throw invalid(url, 'stream ended without a final {"stop": true} event', evidence);
  const counted = serverTokens !== undefined && serverTokens >= 1;
  return {
    streamed: true, text, tokens: counted ? serverTokens as number : tokens, tokenSource: counted ? 'server' : 'events', tokenEvents: tokens,
    finishReason, firstTokenMs, lastTokenMs, tokenReads: tokenReads.size, durationMs: performance.now() - started, events: result.events.length,
    ...(serverTimings ? { serverTimings } : {}),
  };
}

/** A non-200 answer, with the likely cause where the status says it (401/403: a key is missing or wrong). */
function answeredError(url: string, status: number, body: string, evidence: Record<string, unknown>, request: InferenceRequest): HarnessError {
  const keySent = Object.keys(request.headers ?? {}).some((name) => name === 'authorization' || /key|token/i.test(name));
  const hint = status === 401 || status === 403 ? (keySent ? 'the server refused the key sent: check --api-key / --header' : 'the server wants an API key: pass --api-key <key> (sent as Authorization: Bearer) or --header "Name: value"') : undefined;
  return new HarnessError('INFERENCE_INVALID', `${url}: answered HTTP ${status}: ${body.slice(0, 200)}`, { evidence: { url, ...evidence }, ...(hint ? { hint } : {}) });
}

async function single(url: string, endpoint: InferenceEndpoint, request: InferenceRequest): Promise<InferenceResult> {
  const outcome = await tryHttp(url, { method: 'POST', json: bodyFor(endpoint.request, request, false), timeoutMs: request.timeoutMs, ...(request.headers ? { headers: request.headers } : {}), ...(request.signal ? { signal: request.signal } : {}) });
  if (!outcome.ok && outcome.failure.kind === 'aborted' && shutdownAbortSignal().aborted) {
    // The harness ended the request (Ctrl-C): what the harness did, not an inference failure.
    throw new HarnessError('REQUEST_ABORTED', `POST ${url}: the harness ended the request (${String((shutdownAbortSignal().reason as Error | undefined)?.message ?? 'interrupted')}): not a server failure`, { evidence: { url, failure: outcome.failure } });
  }
  if (!outcome.ok) throw new HarnessError('INFERENCE_FAILED', `POST ${url}: ${outcome.failure.kind} (${outcome.failure.message})`, { evidence: { url, failure: outcome.failure } });
  const response = outcome.response;
  if (response.status !== 200) throw answeredError(url, response.status, response.text, { status: response.status, body: response.text.slice(0, 2000) }, request);
  const body = parseJsonBody<Record<string, unknown>>(response);
  let text: unknown;
  let tokens: unknown;
  let finish: unknown;
  if (endpoint.request === 'seed') [text, tokens, finish] = [body.text, body.tokens, body.finish_reason];
  else if (endpoint.request === 'llama-completion') [text, tokens, finish] = [body.content, body.tokens_predicted, body.stop_type];
  else {
    const choice = Array.isArray(body.choices) ? (body.choices[0] as Record<string, unknown> | undefined) : undefined;
    const usage = body.usage as Record<string, unknown> | undefined;
    [text, tokens, finish] = [choice?.text, usage?.completion_tokens, choice?.finish_reason];
  }
  const evidence = { status: response.status, body: response.text.slice(0, 2000) };
  if (typeof text !== 'string') throw invalid(url, 'the answer has no text field', evidence);
  if (typeof tokens !== 'number' || !Number.isInteger(tokens) || tokens < 1) throw invalid(url, `expected a token count ≥ 1, got ${JSON.stringify(tokens)}`, evidence);
  if (text === '') throw invalid(url, `the answer's text is empty (token count ${tokens})`, evidence);
  const serverTimings = readTimings(body.timings);
  return { streamed: false, text, tokens, tokenSource: 'server', finishReason: typeof finish === 'string' ? finish : undefined, firstTokenMs: response.durationMs, durationMs: response.durationMs, ...(serverTimings ? { serverTimings } : {}) };
}

/**
 * Sends one inference request in the endpoint's style and judges the answer: JSON needs a
 * non-empty text and ≥ 1 token; a stream needs ≥ 1 token event and its terminator.
 */
export async function runInference(baseUrl: string, endpoint: InferenceEndpoint, request: InferenceRequest, wantStream: boolean): Promise<InferenceResult> {
  const url = `${baseUrl}${endpoint.path}`;
  const stream = endpoint.stream === 'always' || (endpoint.stream === 'optional' && wantStream);
  return stream ? await streamed(url, endpoint, request) : await single(url, endpoint, request);
}
