import { HarnessError } from '../errors/harness-error.ts';
import { parseJsonBody, tryHttp } from '../http/http-client.ts';
import { readSse, type TimedSseEvent } from '../http/sse-client.ts';
import type { InferenceEndpoint, InferenceRequestStyle } from './worker-profile.ts';

export interface InferenceRequest {
  prompt: string;
  maxTokens: number;
  temperature: number;
  jobId: string;
  /** Model name for OpenAI-style requests. */
  model: string;
  timeoutMs: number;
}

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
}

function bodyFor(style: InferenceRequestStyle, request: InferenceRequest, stream: boolean): Record<string, unknown> {
  if (style === 'seed') return { job_id: request.jobId, prompt: request.prompt, max_tokens: request.maxTokens, temperature: request.temperature, ...(stream ? { stream: true } : {}) };
  if (style === 'llama-completion') return { prompt: request.prompt, n_predict: request.maxTokens, temperature: request.temperature, stream };
  return { model: request.model, prompt: request.prompt, max_tokens: request.maxTokens, temperature: request.temperature, stream };
}

const invalid = (url: string, message: string, evidence: Record<string, unknown>): HarnessError => new HarnessError('INFERENCE_INVALID', `${url}: ${message}`, { evidence: { url, ...evidence } });

/** Text and token count of one streamed event, per style; `done` for the terminator. */
function readEvent(style: InferenceRequestStyle, data: string): { text?: string; token?: boolean; done?: boolean; finish?: string } {
  if (data.trim() === '[DONE]') return { done: true };
  let event: Record<string, unknown>;
  try {
    event = JSON.parse(data) as Record<string, unknown>;
  } catch {
    return {}; // other event payloads are tolerated
  }
  if (style === 'seed') {
    if (event.type === 'token' && typeof event.t === 'string') return { text: event.t, token: true };
    if (event.type === 'end' && typeof event.finish_reason === 'string') return { finish: event.finish_reason };
    return {};
  }
  if (style === 'llama-completion') {
    const text = typeof event.content === 'string' ? event.content : '';
    if (event.stop === true) return { text, token: text !== '', done: true, finish: typeof event.stop_type === 'string' ? event.stop_type : undefined };
    return { text, token: true };
  }
  const choice = Array.isArray(event.choices) ? (event.choices[0] as Record<string, unknown> | undefined) : undefined;
  if (!choice || typeof choice.text !== 'string') return {};
  const finish = typeof choice.finish_reason === 'string' ? choice.finish_reason : undefined;
  // One chunk per generated token; a closing chunk may carry only the finish reason.
  return { text: choice.text, token: choice.text !== '' || finish === undefined, ...(finish ? { finish } : {}) };
}

async function streamed(url: string, endpoint: InferenceEndpoint, request: InferenceRequest): Promise<InferenceResult> {
  const started = performance.now();
  let text = '';
  let tokens = 0;
  let finishReason: string | undefined;
  let done = false;
  let firstTokenMs = 0;
  const result = await readSse(url, {
    json: bodyFor(endpoint.request, request, true),
    timeoutMs: request.timeoutMs,
    onEvent: (event: TimedSseEvent) => {
      const read = readEvent(endpoint.request, event.data);
      if (read.token) {
        tokens += 1;
        if (tokens === 1) firstTokenMs = event.atMs;
      }
      text += read.text ?? '';
      finishReason = read.finish ?? finishReason;
      if (read.done) {
        done = true;
        return 'stop';
      }
      return undefined;
    },
  });
  const evidence = { status: result.status, events: result.events.slice(0, 5).map((event) => event.data), lastEvents: result.events.slice(-3).map((event) => event.data) };
  if (result.status !== 200) throw invalid(url, `stream answered HTTP ${result.status}`, evidence);
  const type = String(result.headers['content-type'] ?? '');
  if (!type.startsWith('text/event-stream')) throw invalid(url, `expected content-type text/event-stream, got '${type}'`, evidence);
  if (tokens === 0) throw invalid(url, `stream ended after ${result.events.length} event(s) without a token`, evidence);
  if (!done && endpoint.request !== 'llama-completion') throw invalid(url, `stream ended without the [DONE] terminator (${tokens} tokens seen)`, evidence);
  if (!done) throw invalid(url, 'stream ended without a final {"stop": true} event', evidence);
  return { streamed: true, text, tokens, finishReason, firstTokenMs, durationMs: performance.now() - started, events: result.events.length };
}

async function single(url: string, endpoint: InferenceEndpoint, request: InferenceRequest): Promise<InferenceResult> {
  const outcome = await tryHttp(url, { method: 'POST', json: bodyFor(endpoint.request, request, false), timeoutMs: request.timeoutMs });
  if (!outcome.ok) throw new HarnessError('INFERENCE_FAILED', `POST ${url}: ${outcome.failure.kind} (${outcome.failure.message})`, { evidence: { url, failure: outcome.failure } });
  const response = outcome.response;
  if (response.status !== 200) throw invalid(url, `answered HTTP ${response.status}: ${response.text.slice(0, 200)}`, { status: response.status, body: response.text.slice(0, 2000) });
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
  return { streamed: false, text, tokens, finishReason: typeof finish === 'string' ? finish : undefined, firstTokenMs: response.durationMs, durationMs: response.durationMs };
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
