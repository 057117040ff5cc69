import { describe, expect, it } from 'vitest';
import { readSse } from '../../tasks/lib/http/sse-client.ts';
import { gaps } from './heartbeat-receiver.ts';
import { httpReadiness } from '../../tasks/lib/wait-strategies/http-wait-strategy.ts';
import { waitFor } from '../../tasks/lib/wait-strategies/wait-for.ts';
import { getJson, postJson, sharedWorker, spawnWorker, ssePayloads } from './worker-process.ts';

/**
 * One worker for the file: the later protocol (public /health, SSE-only inference, /v1/heartbeat),
 * started with a simulated slow load (--load-delay-ms) to see it answer 503 first.
 */
const LOAD_DELAY_MS = 300;
let readiness: { elapsedMs: number; notReady: number } | undefined;
const shared = sharedWorker(async (hive) => {
  const worker = await spawnWorker('v1', ['--api', 'v1', '--hive-url', hive.url, '--heartbeat-interval', '0.2', '--load-delay-ms', String(LOAD_DELAY_MS)]);
  const started = performance.now();
  const outcome = await waitFor(httpReadiness({ url: `${worker.baseUrl}/health`, ownerAlive: () => worker.guard.running }), { description: 'v1 worker /health', timeoutMs: 30_000, failFastOn: [worker.guard] });
  readiness = { elapsedMs: performance.now() - started, notReady: outcome.value.tally['not-ready'] };
  return worker;
});
const w = shared.worker;

describe('reference worker, v1 API', () => {
  it('--load-delay-ms: answers 503 for that long before the real load', () => {
    expect(readiness?.elapsedMs).toBeGreaterThanOrEqual(LOAD_DELAY_MS);
    expect(readiness?.notReady).toBeGreaterThan(0);
    expect(w().guard.tail(200).join('\n')).toContain(`Simulating a slow model load: waiting ${LOAD_DELAY_MS} ms first`);
  });

  it('answers GET /health and has no ready route', async () => {
    expect(await getJson(`${w().baseUrl}/health`)).toEqual({ status: 200, body: { status: 'healthy' } });
    expect((await getJson(`${w().baseUrl}/v1/ready`)).status).toBe(404);
    expect((await getJson(`${w().baseUrl}/v1/health`)).status).toBe(404);
  });

  it('always answers /v1/inference with SSE, even when stream is false', async () => {
    const result = await readSse(`${w().baseUrl}/v1/inference`, { json: { job_id: 'test-job-001', prompt: 'The capital of France is', max_tokens: 20, temperature: 0.7, stream: false }, headers: { accept: 'application/json' } });
    expect(result.headers['content-type']).toContain('text/event-stream');
    const events = ssePayloads(result.events);
    const tokens = events.filter((event) => (event as { type?: string }).type === 'token') as { t: string }[];
    expect(tokens).toHaveLength(20);
    expect(tokens.map((token) => token.t).join('').length).toBeGreaterThan(0);
    expect(events.at(-2)).toMatchObject({ type: 'end', tokens: 20, finish_reason: 'length' });
    expect(events.at(-1)).toBe('[DONE]');
  });

  it('refuses bad bodies with 400 before streaming', async () => {
    const answer = await postJson(`${w().baseUrl}/v1/inference`, { job_id: 'x', max_tokens: 4 });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ error: "'prompt' is required (a non-empty string)" });
  });

  it('sends heartbeats to /v1/heartbeat with an RFC 3339 timestamp, loading → healthy', async () => {
    const posts = await shared.hive().waitUntil((all) => all.filter((post) => post.body.health_status === 'healthy').length >= 10, '10 healthy heartbeats', { failFastOn: [w().guard] });
    expect(posts.every((post) => post.path === '/v1/heartbeat')).toBe(true);
    for (const post of posts) {
      expect(Object.keys(post.body).sort()).toEqual(['health_status', 'timestamp', 'worker_id']);
      expect(post.body.worker_id).toBe(w().workerId);
      expect(post.body.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/);
      expect(Math.abs(Date.parse(post.body.timestamp as string) - Date.now())).toBeLessThan(60_000);
    }
    const statuses = posts.map((post) => post.body.health_status);
    expect(statuses[0]).toBe('loading');
    const firstHealthy = statuses.indexOf('healthy');
    expect(statuses.slice(firstHealthy).every((status) => status === 'healthy')).toBe(true);
    // Every 0.2 s, not a tight loop: the mean interval over 8 gaps. Arrivals bunch when a busy machine
    // delays a post (the median of 3 gaps was 144 ms beside two busy loops); the mean over the span
    // only moves by its two ends' delays.
    const healthyGaps = gaps(posts.slice(firstHealthy + 1));
    expect(healthyGaps.length).toBeGreaterThanOrEqual(8);
    expect(healthyGaps.reduce((sum, gap) => sum + gap, 0) / healthyGaps.length).toBeGreaterThan(150);
  });
});
