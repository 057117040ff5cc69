import getPort from 'get-port';
import { describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { HarnessError } from '../../tasks/lib/errors/harness-error.ts';
import { tryConnect } from '../../tasks/lib/http/tcp-connect.ts';
import { Timeline, withTimeline } from '../../tasks/lib/report/timeline.ts';
import { ProcessGuard } from '../../tasks/lib/process/process-guard.ts';
import { httpReadiness } from '../../tasks/lib/wait-strategies/http-wait-strategy.ts';
import { waitFor } from '../../tasks/lib/wait-strategies/wait-for.ts';
import { fixturePath } from '../helpers/fixture-path.ts';

async function server(mode: string, delayMs = 0, port = 0): Promise<{ guard: ProcessGuard; url: string }> {
  const guard = await ProcessGuard.start({ name: `server-${mode}`, command: process.execPath, args: [fixturePath('processes/http-server.mjs'), mode, String(delayMs), String(port)] });
  if (mode === 'late-listen') return { guard, url: `http://127.0.0.1:${port}/` };
  const [, actual] = await guard.waitForLine(/^listening (\d+)/, { timeoutMs: 10_000 });
  return { guard, url: `http://127.0.0.1:${actual}/` };
}

describe('httpReadiness', () => {
  it('keeps waiting while the service answers "not ready yet", then succeeds', async () => {
    // Not ready for the first 3 answers (counted, not timed: a loaded machine may take longer
    // than any fixed delay to send the first probe).
    const { guard, url } = await server('ready-after', 3);
    await using _ = guard;
    const outcome = await waitFor(httpReadiness({ url, ownerAlive: () => guard.running }), { description: 'ready', timeoutMs: 10_000, failFastOn: [guard] });
    expect(outcome.value.response.status).toBe(200);
    expect(outcome.value.tally['not-ready']).toBe(3);
  });

  it('waits through "not listening yet" for a live process it owns', async () => {
    const port = await getPort({ host: '127.0.0.1' });
    const { guard, url } = await server('late-listen', 1500, port);
    await using _ = guard;
    // An error budget of 3, so that 1.5 s of polling (≥ 15 probes even when slow) surely exceeds it.
    const outcome = await waitFor(httpReadiness({ url, ownerAlive: () => guard.running, maxConsecutiveErrors: 3 }), { description: 'listening', timeoutMs: 60_000, failFastOn: [guard] });
    expect(outcome.value.tally.refused).toBeGreaterThan(3); // more refusals than the error budget, yet no failure
  });

  it('probes with bare connects while refused, and records them as the HTTP probe did (tally, answers, ticks)', async () => {
    for (const connectWhileRefused of [true, false]) {
      const port = await getPort({ host: '127.0.0.1' });
      const { guard, url } = await server('late-listen', 300, port);
      await using _ = guard;
      const timeline = new Timeline();
      const probe = httpReadiness({ url, ownerAlive: () => guard.running, maxConsecutiveErrors: 3, lane: 'probe:server', connectWhileRefused });
      const outcome = await withTimeline(timeline, () => waitFor(probe, { description: 'listening', timeoutMs: 60_000, failFastOn: [guard], wakeOnOutput: false }));
      const { tally, answers, response } = outcome.value;
      expect(response.status).toBe(200);
      expect(tally.refused).toBeGreaterThan(3); // more than the error budget: "not listening yet" is no error
      expect(answers.map((answer) => [answer.status, answer.count])).toEqual([
        ['refused', tally.refused],
        [200, 1],
      ]);
      expect(outcome.observed[0]).toBe('connection refused (ECONNREFUSED): not listening yet');
      const ticks = timeline.events.filter((event) => event.lane === 'probe:server');
      expect(ticks.map((tick) => [tick.status, tick.label, tick.count])).toEqual([
        ['refused', 'refused', tally.refused],
        ['ok', 'HTTP 200', 1],
      ]);
      expect(ticks[0]?.ticks).toHaveLength(tally.refused);
    }
  });

  it('tryConnect: accepted where something listens, refused where nothing does', async () => {
    const listener = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const { port } = listener.address() as { port: number };
    try {
      expect((await tryConnect({ host: '127.0.0.1', port }, { timeoutMs: 5000 })).kind).toBe('accepted');
    } finally {
      await new Promise((resolve) => listener.close(resolve));
    }
    const refused = await tryConnect({ host: '127.0.0.1', port }, { timeoutMs: 5000 });
    expect(refused).toMatchObject({ kind: 'refused', code: 'ECONNREFUSED' });
    const aborted = await tryConnect({ host: '127.0.0.1', port }, { timeoutMs: 5000, signal: AbortSignal.abort() });
    expect(aborted.kind).toBe('aborted');
  });

  it('stops after 10 consecutive refusals when nothing of ours is behind the URL', async () => {
    const port = await getPort({ host: '127.0.0.1' });
    const started = performance.now();
    const error = await waitFor(httpReadiness({ url: `http://127.0.0.1:${port}/v1/ready`, errorIntervalMs: 20 }), { description: 'ready', timeoutMs: 30_000 }).catch((e: unknown) => e);
    const failure = error as HarnessError;
    expect(failure).toBeInstanceOf(HarnessError);
    expect(failure.code).toBe('ENDPOINT_UNREACHABLE');
    expect(failure.message).toContain('failed 10 times in a row');
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('stops after 10 consecutive HTTP errors', async () => {
    const { guard, url } = await server('error');
    await using _ = guard;
    const error = await waitFor(httpReadiness({ url, errorIntervalMs: 20, ownerAlive: () => guard.running }), { description: 'ready', timeoutMs: 30_000 }).catch((e: unknown) => e);
    const failure = error as HarnessError;
    expect(failure.code).toBe('ENDPOINT_ERRORS');
    expect(failure.evidence.lastObserved).toContain('HTTP 500');
  });

  it('times out (not fails fast) on a service that stays "not ready"', async () => {
    const { guard, url } = await server('never-ready');
    await using _ = guard;
    const error = await waitFor(httpReadiness({ url }), { description: 'worker to be ready', timeoutMs: 800 }).catch((e: unknown) => e);
    const failure = error as HarnessError;
    expect(failure.code).toBe('WAIT_TIMEOUT');
    expect(failure.message).toContain('last observed: not ready yet: HTTP 503 {"ready":false}');
  });

  it('reports the last real answer on timeout, not the probe the deadline cut short', async () => {
    const { guard, url } = await server('503-then-hang');
    await using _ = guard;
    // The second probe hangs; the wait's deadline (600 ms) cuts it well before its own 2 s limit.
    const error = await waitFor(httpReadiness({ url, requestTimeoutMs: 2000 }), { description: 'worker to be ready', timeoutMs: 600 }).catch((e: unknown) => e);
    const failure = error as HarnessError;
    expect(failure.code).toBe('WAIT_TIMEOUT');
    expect(failure.evidence.lastObserved).toBe('not ready yet: HTTP 503 {"ready":false}');
    expect(failure.message).toContain('last observed: not ready yet: HTTP 503');
    expect(failure.message).not.toContain('request timeout');
  });

  it('a probe that used its whole own timeout is a real observation (the service did not answer)', async () => {
    const { guard, url } = await server('503-then-hang');
    await using _ = guard;
    const error = await waitFor(httpReadiness({ url, requestTimeoutMs: 100 }), { description: 'worker to be ready', timeoutMs: 1500 }).catch((e: unknown) => e);
    const failure = error as HarnessError;
    expect(failure.code).toBe('WAIT_TIMEOUT');
    expect(failure.evidence.lastObserved).toMatch(/^request timeout \(no answer within 100 ms\)$/);
  });
});
