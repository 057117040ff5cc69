import { describe, expect, it } from 'vitest';
import { readSse } from '../../tasks/lib/http/sse-client.ts';
import { getJson, postJson, sharedWorker, spawnWorker, ssePayloads, waitUntilReady } from './worker-process.ts';

/** One worker for the file, speaking llama.cpp's server dialect. */
const shared = sharedWorker(async (hive) => {
  const worker = await spawnWorker('llama-server', ['--api', 'llama-server', '--model-ref', 'tiny-llama', '--hive-url', hive.url, '--heartbeat-interval', '0.1']);
  await waitUntilReady(worker, '/health');
  return worker;
});
const w = shared.worker;

describe('reference worker, llama-server API', () => {
  it('answers GET /health like llama.cpp', async () => {
    expect(await getJson(`${w().baseUrl}/health`)).toEqual({ status: 200, body: { status: 'ok' } });
  });

  it('completes with POST /completion as JSON', async () => {
    const { status, body } = await postJson(`${w().baseUrl}/completion`, { prompt: 'The capital of France is', n_predict: 24, temperature: 0.7 });
    expect(status).toBe(200);
    expect(body).toMatchObject({ stop: true, stop_type: 'limit', tokens_predicted: 24, model: 'tiny-llama' });
    const typed = body as { content: string; tokens_evaluated: number; timings: { predicted_n: number; predicted_per_second: number } };
    expect(typed.content.length).toBeGreaterThan(0);
    expect(typed.tokens_evaluated).toBeGreaterThan(1);
    expect(typed.timings.predicted_n).toBe(24);
    expect(typed.timings.predicted_per_second).toBeGreaterThan(0);
  });

  it('streams POST /completion: stop:false chunks, then one stop:true, no [DONE]', async () => {
    const result = await readSse(`${w().baseUrl}/completion`, { json: { prompt: 'Hello', n_predict: 10, stream: true } });
    const events = ssePayloads(result.events) as { content: string; stop: boolean; tokens_predicted?: number; stop_type?: string }[];
    expect(events.filter((event) => !event.stop)).toHaveLength(10);
    expect(events.at(-1)).toMatchObject({ content: '', stop: true, tokens_predicted: 10, stop_type: 'limit' });
    expect(result.events.some((event) => event.data === '[DONE]')).toBe(false);
  });

  it('also serves the OpenAI routes', async () => {
    expect(await getJson(`${w().baseUrl}/v1/models`)).toMatchObject({ status: 200, body: { object: 'list', data: [{ id: 'tiny-llama', object: 'model' }] } });
    const { status, body } = await postJson(`${w().baseUrl}/v1/completions`, { prompt: 'Hi', max_tokens: 5 });
    expect(status).toBe(200);
    expect(body).toMatchObject({ object: 'text_completion', choices: [{ index: 0, finish_reason: 'length' }], usage: { completion_tokens: 5 } });
  });

  it('refuses bad bodies with llama.cpp-style errors', async () => {
    const missing = await postJson(`${w().baseUrl}/completion`, { n_predict: 4 });
    expect(missing).toMatchObject({ status: 400, body: { error: { code: 400, type: 'invalid_request_error', message: "'prompt' is required (a non-empty string)" } } });
    const zero = await postJson(`${w().baseUrl}/completion`, { prompt: 'x', n_predict: 0 });
    expect(zero.status).toBe(400);
  });

  it('sends no heartbeats, and says --hive-url is ignored', async () => {
    await w().guard.waitForLine(/--hive-url is ignored/, { timeoutMs: 5000 });
    expect(shared.hive().posts).toEqual([]);
  });
});
