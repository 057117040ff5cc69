import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeartbeatReceiver } from './heartbeat-receiver.ts';
import { getJson, postJson, spawnWorker, stopCleanly, type StartedWorker } from './worker-process.ts';

/**
 * Workers that stay in their loading phase (`--load-delay-ms` far beyond the test), one per API
 * style: what each says while the model loads. They never import the engine, so they are cheap.
 */
const LOADING = ['--load-delay-ms', '600000'];
const workers = new Map<string, StartedWorker>();
let hive: HeartbeatReceiver | undefined;

beforeAll(async () => {
  hive = await HeartbeatReceiver.start();
  const styles = ['seed', 'v1', 'llama-server', 'openai'] as const;
  await Promise.all(
    styles.map(async (api) => {
      const worker = await spawnWorker(`loading-${api}`, ['--api', api, '--hive-url', hive!.url, '--heartbeat-interval', '30', ...LOADING]);
      workers.set(api, worker);
      await worker.guard.waitForLine(/^listening on http:\/\/127\.0\.0\.1:\d+$/, { timeoutMs: 20_000 });
    }),
  );
});

afterAll(async () => {
  // SIGTERM while the model is still loading exits 0 too.
  for (const worker of workers.values()) await stopCleanly(worker);
  await hive?.[Symbol.asyncDispose]();
});

function url(api: string, path: string): string {
  const worker = workers.get(api);
  if (!worker) throw new Error(`${api} worker did not start`);
  return `${worker.baseUrl}${path}`;
}

describe('while the model loads', () => {
  it('seed: health and ready answer 503 Loading, inference 503', async () => {
    expect(await getJson(url('seed', '/v1/health'))).toEqual({ status: 503, body: { status: 'loading', model_loaded: false } });
    expect(await getJson(url('seed', '/v1/ready'))).toEqual({ status: 503, body: { ready: false, state: 'Loading' } });
    expect(await postJson(url('seed', '/v1/inference'), { prompt: 'x', max_tokens: 1 })).toMatchObject({ status: 503, body: { error: 'worker is not ready (state Loading)' } });
  });

  it('v1: /health answers 503 loading', async () => {
    expect(await getJson(url('v1', '/health'))).toEqual({ status: 503, body: { status: 'loading' } });
  });

  it('llama-server: /health answers 503 "Loading model" like llama.cpp', async () => {
    expect(await getJson(url('llama-server', '/health'))).toEqual({ status: 503, body: { error: { code: 503, message: 'Loading model', type: 'unavailable_error' } } });
    expect((await postJson(url('llama-server', '/completion'), { prompt: 'x' })).status).toBe(503);
  });

  it('openai: /health answers 503, completions 503', async () => {
    expect(await getJson(url('openai', '/health'))).toEqual({ status: 503, body: { status: 'loading' } });
    expect((await postJson(url('openai', '/v1/completions'), { prompt: 'x' })).status).toBe(503);
  });

  it('sends the Loading heartbeat at once, without waiting for the interval', async () => {
    const posts = await hive!.waitUntil((all) => all.some((post) => post.path === '/heartbeat/workers') && all.some((post) => post.path === '/v1/heartbeat'), 'one heartbeat of each protocol');
    expect(posts.find((post) => post.path === '/heartbeat/workers')?.body).toEqual({ worker_id: 'test-worker-loading-seed', state: 'Loading' });
    expect(posts.find((post) => post.path === '/v1/heartbeat')?.body).toMatchObject({ worker_id: 'test-worker-loading-v1', health_status: 'loading' });
  });
});
