import type { HttpResponse } from '../http/http-client.ts';
import type { AnswerClassifier } from '../wait-strategies/http-wait-strategy.ts';
import type { HealthExpectation } from './worker-profile.ts';

function jsonOf(response: HttpResponse): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(response.text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const quote = (response: HttpResponse): string => `HTTP ${response.status} ${response.text.slice(0, 160)}`;

/**
 * Judges a health answer. 503 is always "not ready yet" (llama-server's "Loading model");
 * `seed-health` wants `{"status":"healthy","model_loaded":true}`, `status-ok` wants a status of
 * "ok" or "healthy", `any-200` any 200.
 */
export function healthClassifier(expect: HealthExpectation): AnswerClassifier {
  return (response) => {
    if (response.status === 503) return { verdict: 'not-ready', detail: quote(response) };
    if (response.status !== 200) return { verdict: 'http-error', detail: quote(response) };
    if (expect === 'any-200') return { verdict: 'ready' };
    const body = jsonOf(response);
    if (!body) return { verdict: 'http-error', detail: `${quote(response)} (not a JSON object)` };
    if (expect === 'seed-health') {
      if (body.status !== 'healthy') return { verdict: body.status === 'loading' ? 'not-ready' : 'http-error', detail: `status is ${JSON.stringify(body.status)}, expected "healthy"` };
      if (body.model_loaded !== true) return { verdict: 'not-ready', detail: `model_loaded is ${JSON.stringify(body.model_loaded)}` };
      return { verdict: 'ready' };
    }
    return body.status === 'ok' || body.status === 'healthy' ? { verdict: 'ready' } : { verdict: 'http-error', detail: `status is ${JSON.stringify(body.status)}, expected "ok" or "healthy"` };
  };
}

/** `{"ready": true}` is ready; `{"ready": false}` (any status) or 503 is "not yet". */
export const readyFlagClassifier: AnswerClassifier = (response) => {
  const body = jsonOf(response);
  if (body?.ready === true && response.status === 200) return { verdict: 'ready' };
  if (body?.ready === false || response.status === 503) return { verdict: 'not-ready', detail: quote(response) };
  return { verdict: 'http-error', detail: `${quote(response)} (expected {"ready": true|false})` };
};

/** Model ids from an OpenAI `/v1/models` listing; an empty or malformed list is an error text. */
export function modelIds(response: HttpResponse): string[] | string {
  if (response.status !== 200) return `${quote(response)}`;
  const body = jsonOf(response);
  const data = body?.data;
  if (!Array.isArray(data)) return `${quote(response)} (expected {"data": [{"id": …}]})`;
  const ids = data.map((item: unknown) => (typeof item === 'object' && item !== null ? (item as { id?: unknown }).id : undefined));
  if (ids.length === 0) return 'the model list is empty';
  if (!ids.every((id): id is string => typeof id === 'string' && id !== '')) return `${quote(response)} (a model has no string id)`;
  return ids;
}
