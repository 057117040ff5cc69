/**
 * The reference worker taught what a real llama-server does: partial UTF-8 held back (fewer events
 * than tokens, the count in the final event), its own timings, an API key, streams that keep
 * SIGTERM waiting, and a crash mid-stream.
 */
import { describe, expect, it } from 'vitest';
import { ensureTinyModel } from '../../fixtures/tiny-model/write-tiny-llama.ts';
import { readSse } from '../../tasks/lib/http/sse-client.ts';
import { tryHttp } from '../../tasks/lib/http/http-client.ts';
import { getJson, postJson, spawnWorker, ssePayloads, stopCleanly, waitUntilReady } from './worker-process.ts';

describe('reference worker, llama-server API, on a model that writes "é" as two byte tokens', () => {
  it('sends no event for a token that ends inside a character; the final event counts every token and carries timings', async () => {
    const worker = await spawnWorker('utf8', ['--api', 'llama-server'], { model: await ensureTinyModel(undefined, 'utf8') });
    try {
      await waitUntilReady(worker, '/health');
      // A fixed sampling seed: the same tokens every run (random sampling could, rarely, pick no "é").
      const result = await readSse(`${worker.baseUrl}/completion`, { json: { prompt: 'Hello', n_predict: 32, stream: true, seed: 7 } });
      const events = ssePayloads(result.events) as { content: string; stop: boolean; tokens_predicted?: number; timings?: Record<string, number> }[];
      const text = events.filter((event) => !event.stop);
      const final = events.at(-1);
      expect(final?.stop).toBe(true);
      expect(text.map((event) => event.content).join('')).toContain('é');
      expect(text.every((event) => event.content !== '')).toBe(true);
      expect(text.length).toBeLessThan(final?.tokens_predicted as number);
      expect(final?.timings).toMatchObject({ predicted_n: final?.tokens_predicted, prompt_n: expect.any(Number), prompt_ms: expect.any(Number), predicted_ms: expect.any(Number), predicted_per_second: expect.any(Number) });
      const oai = await readSse(`${worker.baseUrl}/v1/completions`, { json: { prompt: 'Hello', max_tokens: 32, stream: true, seed: 7 } });
      const chunks = ssePayloads(oai.events.filter((event) => event.data !== '[DONE]')) as { choices: { text: string; finish_reason: string | null }[]; usage?: { completion_tokens: number }; timings?: unknown }[];
      const last = chunks.at(-1);
      expect(last?.usage?.completion_tokens).toBeGreaterThan(chunks.length - 1);
      expect(last?.timings).toBeDefined();
    } finally {
      await stopCleanly(worker);
    }
  });
});

describe('reference worker --api-key', () => {
  it('wants the key on every route but health (401 like llama-server), accepts it as a bearer token', async () => {
    const worker = await spawnWorker('api-key', ['--api', 'llama-server', '--api-key', 'sekrit-123']);
    try {
      await waitUntilReady(worker, '/health');
      expect(await postJson(`${worker.baseUrl}/completion`, { prompt: 'x', n_predict: 2 })).toMatchObject({ status: 401, body: { error: { code: 401, message: 'Invalid API Key', type: 'authentication_error' } } });
      const ok = await tryHttp(`${worker.baseUrl}/completion`, { method: 'POST', json: { prompt: 'x', n_predict: 2 }, headers: { authorization: 'Bearer sekrit-123' } });
      expect(ok.ok && ok.response.status).toBe(200);
      expect((await getJson(`${worker.baseUrl}/health`)).status).toBe(200);
    } finally {
      await stopCleanly(worker);
    }
  });
});

describe('reference worker stream faults', () => {
  it('sigterm-waits-for-streams: SIGTERM with a stream open waits until the client goes, then exits 0', async () => {
    const worker = await spawnWorker('sigterm-waits', ['--api', 'seed', '--fault', 'stall-stream', '--fault', 'sigterm-waits-for-streams']);
    await waitUntilReady(worker, '/v1/ready');
    const client = new AbortController();
    let events = 0;
    let stalled: () => void = () => undefined;
    const twoEvents = new Promise<void>((resolve) => (stalled = resolve));
    const stream = readSse(`${worker.baseUrl}/v1/inference`, { json: { prompt: 'Hello', max_tokens: 8, stream: true }, signal: client.signal, onEvent: () => void (++events === 2 && stalled()) }).catch((error: unknown) => error);
    await twoEvents;
    await worker.guard.waitForLine(/fault injected \(stall-stream\)/, { timeoutMs: 30_000 });
    process.kill(worker.guard.pid, 'SIGTERM');
    await worker.guard.waitForLine(/SIGTERM with 1 stream\(s\) open: shutting down once they are closed/, { timeoutMs: 30_000 });
    expect(worker.guard.running).toBe(true);
    client.abort();
    expect(await worker.guard.settled).toEqual({ code: 0, signal: null });
    expect(worker.guard.tail(3).join('\n')).toContain('Worker stopped');
    expect(await stream).toMatchObject({ code: 'SSE_FAILED' });
    await worker.guard.stop();
  });

  it('crash-mid-stream: the worker SIGKILLs itself after 3 events of a stream', async () => {
    const worker = await spawnWorker('crash-mid-stream', ['--api', 'seed', '--fault', 'crash-mid-stream']);
    await waitUntilReady(worker, '/v1/ready');
    const stream = await readSse(`${worker.baseUrl}/v1/inference`, { json: { prompt: 'Hello', max_tokens: 16, stream: true } }).catch((error: unknown) => error);
    expect(stream).toMatchObject({ code: 'SSE_FAILED' });
    expect(await worker.guard.settled).toEqual({ code: null, signal: 'SIGKILL' });
    expect(worker.guard.tail(5).join('\n')).toContain('fault injected (crash-mid-stream)');
    await worker.guard.stop();
  });
});
