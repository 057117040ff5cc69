import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { shutdownAbortSignal } from '../../tasks/lib/process/guard-registry.ts';
import { HarnessError } from '../../tasks/lib/errors/harness-error.ts';
import { ProcessGuard } from '../../tasks/lib/process/process-guard.ts';
import { waitFor } from '../../tasks/lib/wait-strategies/wait-for.ts';
import { fixturePath } from '../helpers/fixture-path.ts';

describe('waitFor', () => {
  it('returns as soon as the probe is ready, polling fast at first', async () => {
    const seen: number[] = [];
    const started = performance.now();
    const outcome = await waitFor(
      async ({ attempt }) => {
        seen.push(performance.now() - started);
        return attempt >= 4 ? { ready: true, value: attempt } : { ready: false, observed: `attempt ${attempt}` };
      },
      { description: 'the fourth attempt', timeoutMs: 5000 },
    );
    expect(outcome.value).toBe(4);
    expect(outcome.attempts).toBe(4);
    expect(outcome.observed).toEqual(['attempt 1', 'attempt 2', 'attempt 3']);
    expect(seen).toHaveLength(4); // (how fast it polls is measured by bench/readiness-latency.ts)
  });

  it('fails fast, with exit code and log tail, when the watched process exits', async () => {
    await using worker = await ProcessGuard.start({ name: 'worker', command: process.execPath, args: [fixturePath('processes/exit-early.mjs'), '1', '300'] });
    const started = performance.now();
    const error = await waitFor(async () => ({ ready: false, observed: 'connection refused' }), {
      description: 'the worker to become healthy',
      timeoutMs: 30_000,
      failFastOn: [worker],
    }).catch((e: unknown) => e);
    const elapsed = performance.now() - started;
    expect(error).toBeInstanceOf(HarnessError);
    const failure = error as HarnessError;
    expect(failure.code).toBe('PROCESS_EXITED');
    expect(failure.message).toMatch(/^worker exited with code 1 while waiting for the worker to become healthy/);
    expect(failure.evidence.logTail).toEqual(['loading model /models/missing.gguf', 'error: failed to open model file: No such file or directory']);
    expect(elapsed).toBeLessThan(5000); // far from the 30 s timeout
  });

  it('times out naming what it waited for, for how long, and the last observation', async () => {
    let n = 0;
    const error = await waitFor(async () => ({ ready: false, observed: `HTTP 503 not ready (${++n})` }), {
      description: 'worker /v1/ready to say ready',
      timeoutMs: 300,
    }).catch((e: unknown) => e);
    const failure = error as HarnessError;
    expect(failure.code).toBe('WAIT_TIMEOUT');
    expect(failure.message).toContain('timed out after 300 ms waiting for worker /v1/ready to say ready');
    expect(failure.message).toContain(`last observed: HTTP 503 not ready (${n})`);
    expect(failure.evidence.waitedMs).toBeGreaterThanOrEqual(290);
  });

  it('times out even while a probe hangs', async () => {
    const started = performance.now();
    const error = await waitFor(() => new Promise<never>(() => undefined), { description: 'a hung probe', timeoutMs: 200 }).catch((e: unknown) => e);
    expect((error as HarnessError).code).toBe('WAIT_TIMEOUT');
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('lets a probe fail the wait early with its own error', async () => {
    const error = await waitFor(
      async () => {
        throw new HarnessError('ENDPOINT_ERRORS', 'answers 500');
      },
      { description: 'x', timeoutMs: 5000 },
    ).catch((e: unknown) => e);
    expect((error as HarnessError).code).toBe('ENDPOINT_ERRORS');
  });
});

describe('waitFor and a long-lived outside signal', () => {
  it('leaves no listener on it once each wait is over (20 waits passing the shutdown signal, as the canary does)', async () => {
    const before = getEventListeners(shutdownAbortSignal(), 'abort').length;
    for (let i = 0; i < 20; i += 1) {
      await waitFor(async () => ({ ready: true, value: i, observed: 'ready' }), { description: `wait ${i}`, timeoutMs: 5000, signal: shutdownAbortSignal() });
    }
    expect(getEventListeners(shutdownAbortSignal(), 'abort')).toHaveLength(before);
  });
});

describe('waitFor waking on output', () => {
  it('probes again as soon as a watched process prints, instead of sleeping out its backoff', async () => {
    await using server = await ProcessGuard.start({ name: 'late', command: process.execPath, args: ['-e', "setTimeout(() => console.log('listening now'), 300); setInterval(() => {}, 1000)"] });
    const started = performance.now();
    const outcome = await waitFor(async () => (server.tail().includes('listening now') ? { ready: true, value: 'up' } : { ready: false, observed: 'quiet' }), {
      description: 'the listening line',
      timeoutMs: 20_000,
      initialIntervalMs: 10_000, // a poll alone would not look again for 10 s
      maxIntervalMs: 10_000,
      failFastOn: [server],
    });
    expect(outcome.value).toBe('up');
    expect(performance.now() - started).toBeLessThan(5000);
  });
});
