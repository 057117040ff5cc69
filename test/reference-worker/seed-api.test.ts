import { describe, expect, it } from 'vitest';
import { tryHttp } from '../../tasks/lib/http/http-client.ts';
import { readSse } from '../../tasks/lib/http/sse-client.ts';
import { gaps, median } from './heartbeat-receiver.ts';
import { getJson, postJson, sharedWorker, spawnWorker, ssePayloads, waitUntilReady } from './worker-process.ts';

/** One worker for the whole file: seed API, heartbeats every 0.2 s to an in-test hive. */
const INTERVAL_S = 0.2;
const shared = sharedWorker(async (hive) => {
  const worker = await spawnWorker('seed', ['--hive-url', hive.url, '--heartbeat-interval', String(INTERVAL_S), '--local-mode']);
  await waitUntilReady(worker, '/v1/ready');
  return worker;
});
const w = shared.worker;

describe('reference worker, seed API', () => {
  it('logs the seed-style startup lines in order', () => {
    const lines = w().guard.tail(200);
    const order = [/^listening on http:\/\/127\.0\.0\.1:\d+$/, /^\[INFO\] Heartbeat task started \(0\.2s interval\)/, /^\[INFO\] Loading model /, /^\[INFO\] Model loaded successfully \(backend cpu, \d+\.\d\d s\)$/, /^\[INFO\] Worker ready/];
    const positions = order.map((pattern) => lines.findIndex((line) => pattern.test(line)));
    expect(positions.every((position) => position >= 0), lines.join('\n')).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  it('answers health and ready', async () => {
    expect(await getJson(`${w().baseUrl}/v1/health`)).toEqual({ status: 200, body: { status: 'healthy', model_loaded: true } });
    expect(await getJson(`${w().baseUrl}/v1/ready`)).toEqual({ status: 200, body: { ready: true } });
  });

  it('generates real tokens as JSON', async () => {
    const { status, body } = await postJson(`${w().baseUrl}/v1/inference`, { job_id: 'test-job-001', prompt: 'The capital of France is', max_tokens: 32, temperature: 0.7 });
    expect(status).toBe(200);
    expect(body).toMatchObject({ job_id: 'test-job-001', tokens: 32, finish_reason: 'length' });
    expect((body as { text: string }).text.length).toBeGreaterThan(0);
  });

  it('streams one token event per token, then end and [DONE] (stream: true)', async () => {
    const result = await readSse(`${w().baseUrl}/v1/inference`, { json: { job_id: 'sse-1', prompt: 'Hello', max_tokens: 12, temperature: 0.7, stream: true } });
    expect(result.status).toBe(200);
    expect(result.headers['content-type']).toContain('text/event-stream');
    const events = ssePayloads(result.events);
    expect(events[0]).toEqual({ type: 'started', job_id: 'sse-1' });
    const tokens = events.filter((event) => (event as { type?: string }).type === 'token');
    expect(tokens).toHaveLength(12);
    expect(tokens.every((event) => typeof (event as { t?: unknown }).t === 'string')).toBe(true);
    expect(events.at(-2)).toEqual({ type: 'end', job_id: 'sse-1', tokens: 12, finish_reason: 'length', timings: expect.objectContaining({ predicted_n: 12, prompt_ms: expect.any(Number), predicted_ms: expect.any(Number) }) });
    expect(events.at(-1)).toBe('[DONE]');
  });

  it('streams when the client asks with Accept: text/event-stream', async () => {
    const result = await readSse(`${w().baseUrl}/v1/inference`, { json: { prompt: 'Hi', max_tokens: 3 } });
    const events = ssePayloads(result.events);
    expect(events.filter((event) => (event as { type?: string }).type === 'token')).toHaveLength(3);
    expect(events.at(-1)).toBe('[DONE]');
  });

  it('serialises concurrent requests and answers all of them in full', async () => {
    const answers = await Promise.all(Array.from({ length: 4 }, (_, i) => postJson(`${w().baseUrl}/v1/inference`, { job_id: `c${i}`, prompt: `Request ${i}`, max_tokens: 16 })));
    expect(answers.map((answer) => [answer.status, (answer.body as { tokens: number }).tokens])).toEqual(Array.from({ length: 4 }, () => [200, 16]));
  });

  it.each([
    ['bad JSON', '{"prompt": ', /not valid JSON/],
    ['an empty body', '', /empty/],
    ['an array', '[1,2]', /must be a JSON object, got an array/],
    ['no prompt', { max_tokens: 5 }, /'prompt' is required/],
    ['an empty prompt', { prompt: '  ' }, /'prompt' must not be empty/],
    ['a prompt that is not a string', { prompt: 42 }, /'prompt' must be a string, got number 42/],
    ['max_tokens 0', { prompt: 'x', max_tokens: 0 }, /'max_tokens' must be from 1 to 256, got 0/],
    ['max_tokens above the context', { prompt: 'x', max_tokens: 100_000 }, /'max_tokens' must be from 1 to 256/],
    ['max_tokens not an integer', { prompt: 'x', max_tokens: 2.5 }, /'max_tokens' must be an integer/],
    ['a prompt that leaves no room', { prompt: 'x'.repeat(250), max_tokens: 50 }, /exceeds the context size \(256 tokens\)/],
    ['temperature out of range', { prompt: 'x', temperature: 9 }, /'temperature' must be from 0 to 2/],
    ['stream not a boolean', { prompt: 'x', stream: 'yes' }, /'stream' must be true or false/],
  ])('refuses %s with 400 and the reason', async (_what, body, reason) => {
    const answer = await postJson(`${w().baseUrl}/v1/inference`, body);
    expect(answer.status).toBe(400);
    expect((answer.body as { error: string }).error).toMatch(reason);
  });

  it('answers unknown routes with 404 and wrong methods with 405', async () => {
    expect((await getJson(`${w().baseUrl}/nope`)).status).toBe(404);
    const wrong = await tryHttp(`${w().baseUrl}/v1/inference`, { method: 'GET' });
    expect(wrong.ok && wrong.response.status).toBe(405);
  });

  it('sends heartbeats Loading → Ready to /heartbeat/workers at about the configured interval', async () => {
    const posts = await shared.hive().waitUntil((all) => all.filter((post) => post.body.state === 'Ready').length >= 6, '6 Ready heartbeats', { failFastOn: [w().guard] });
    expect(posts.every((post) => post.path === '/heartbeat/workers')).toBe(true);
    expect(posts.every((post) => post.body.worker_id === w().workerId)).toBe(true);
    const states = posts.map((post) => post.body.state);
    expect(states[0]).toBe('Loading');
    const firstReady = states.indexOf('Ready');
    expect(states.slice(0, firstReady).every((state) => state === 'Loading')).toBe(true);
    expect(states.slice(firstReady).every((state) => state === 'Ready')).toBe(true);
    expect(Object.keys(posts[0]!.body).sort()).toEqual(['state', 'worker_id']);
    const readyGaps = gaps(posts.slice(firstReady + 1)); // the Ready beat restarts the interval
    expect(median(readyGaps)).toBeGreaterThan(INTERVAL_S * 1000 * 0.75);
    expect(median(readyGaps)).toBeLessThan(INTERVAL_S * 1000 * 2);
    expect(w().guard.tail(200).some((line) => /^\[INFO\] Heartbeat #\d+ sent \(state Ready\): HTTP 200/.test(line))).toBe(true);
  });
});
