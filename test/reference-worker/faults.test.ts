import { describe, expect, it } from 'vitest';
import { HarnessError } from '../../tasks/lib/errors/harness-error.ts';
import { tryHttp } from '../../tasks/lib/http/http-client.ts';
import { httpReadiness } from '../../tasks/lib/wait-strategies/http-wait-strategy.ts';
import { waitFor } from '../../tasks/lib/wait-strategies/wait-for.ts';
import { HeartbeatReceiver } from './heartbeat-receiver.ts';
import { exitOf, getJson, postJson, spawnWorker, stopCleanly, waitUntilReady } from './worker-process.ts';

/** The --fault flags the harness's own failure tests rely on. */
describe('fault flags (no-heartbeats: see startup-failures, with --callback-url)', () => {
  it('crash-at-start: prints an error and exits 1 before listening', async () => {
    await using worker = await spawnWorker('crash', ['--fault', 'crash-at-start']);
    const { code, output } = await exitOf(worker);
    expect(code).toBe(1);
    expect(output).toContain('[ERROR] fault injected (crash-at-start)');
    expect(output).not.toContain('listening on');
    const probe = await tryHttp(`${worker.baseUrl}/v1/health`, { timeoutMs: 2000 });
    expect(probe.ok ? probe.response.status : probe.failure.kind).toBe('refused');
  });


  it('never-ready: health is fine, ready stays false, heartbeats stay Loading', async () => {
    await using hive = await HeartbeatReceiver.start();
    const worker = await spawnWorker('never-ready', ['--hive-url', hive.url, '--heartbeat-interval', '0.05', '--fault', 'never-ready']);
    try {
      await waitUntilReady(worker, '/v1/health');
      await worker.guard.waitForLine(/Model loaded successfully/, { timeoutMs: 5000 });
      expect(await getJson(`${worker.baseUrl}/v1/health`)).toEqual({ status: 200, body: { status: 'healthy', model_loaded: true } });
      expect(await getJson(`${worker.baseUrl}/v1/ready`)).toEqual({ status: 503, body: { ready: false, state: 'Loading' } });
      expect((await postJson(`${worker.baseUrl}/v1/inference`, { prompt: 'x' })).status).toBe(503);
      const posts = await hive.waitUntil((all) => all.length >= 4, '4 heartbeats', { failFastOn: [worker.guard] });
      expect(new Set(posts.map((post) => post.body.state))).toEqual(new Set(['Loading']));
      // What a harness sees: a readiness wait that keeps hearing "not ready yet" until it times out.
      // The last probe is usually cut short by the deadline; the evidence must still be the worker's answer.
      const waiting = waitFor(httpReadiness({ url: `${worker.baseUrl}/v1/ready` }), { description: 'worker /v1/ready', timeoutMs: 1500, failFastOn: [worker.guard] });
      await expect(waiting).rejects.toMatchObject({ code: 'WAIT_TIMEOUT', evidence: { lastObserved: expect.stringContaining('not ready yet: HTTP 503') } });
    } finally {
      await stopCleanly(worker);
    }
  });

  it('health-errors: health answers 500, which a readiness wait reports as errors', async () => {
    const worker = await spawnWorker('health-errors', ['--fault', 'health-errors', '--load-delay-ms', '600000']);
    try {
      const waiting = waitFor(httpReadiness({ url: `${worker.baseUrl}/v1/health`, ownerAlive: () => worker.guard.running, maxConsecutiveErrors: 3, errorIntervalMs: 20 }), {
        description: 'worker /v1/health',
        timeoutMs: 20_000,
        failFastOn: [worker.guard],
      });
      const error = await waiting.then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(HarnessError);
      expect(error).toMatchObject({ code: 'ENDPOINT_ERRORS' });
      expect((error as HarnessError).message).toContain('HTTP 500');
      expect(await getJson(`${worker.baseUrl}/v1/health`)).toMatchObject({ status: 500, body: { status: 'error', error: 'fault injected: health-errors' } });
    } finally {
      await stopCleanly(worker);
    }
  });

});
