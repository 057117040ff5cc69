import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import getPort from 'get-port';
import { afterAll, describe, expect, it } from 'vitest';
import { installedEngineBuilds } from '../../fixtures/reference-worker/src/engine-builds.ts';
import { ProcessGuard } from '../../tasks/lib/process/process-guard.ts';
import { repoPath } from '../helpers/fixture-path.ts';
import { HeartbeatReceiver } from './heartbeat-receiver.ts';
import { WORKER_MAIN, exitOf, getJson, postJson, spawnWorker, stopCleanly } from './worker-process.ts';

const dir = mkdtempSync(join(tmpdir(), 'hivecheck-worker-startup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('startup failures and flags', () => {
  it.skipIf(installedEngineBuilds().cuda)('--backend cuda without the CUDA build exits 3 with the install command', async () => {
    await using worker = await spawnWorker('cuda', ['--backend', 'cuda']);
    const { code, output } = await exitOf(worker);
    expect(code).toBe(3);
    expect(output).toContain('error: the CUDA build of llama.cpp is not installed; run: npm run engine:install -- --gpu cuda');
    expect(output).not.toContain('listening on');
  });

  it('exits 2 with the usage for bad flags', async () => {
    await using guard = await ProcessGuard.start({ name: 'worker-bad-flags', command: process.execPath, args: ['--import', 'tsx', WORKER_MAIN, '--worker-id', 'w', '--model', 'm.gguf', '--gpu-layers', '3'], cwd: repoPath('') });
    const info = await guard.settled;
    expect(info.code).toBe(2);
    const output = guard.tail(40).join('\n');
    expect(output).toContain("error: Unknown option '--gpu-layers'");
    expect(output).toContain('usage: node --import tsx fixtures/reference-worker/src/main.ts');
  });

  it('a missing model: logs why and exits 1 after listening', async () => {
    await using worker = await spawnWorker('missing-model', [], { model: join(dir, 'absent.gguf') });
    const { code, output } = await exitOf(worker);
    expect(code).toBe(1);
    expect(output).toContain('listening on');
    expect(output).toContain(`[ERROR] Failed to load model ${join(dir, 'absent.gguf')}: [MODEL_NOT_FOUND]`);
  });

  it('a file that is not a model: logs why and exits 1', async () => {
    const path = join(dir, 'page.gguf');
    writeFileSync(path, '<!DOCTYPE html><p>nope</p>');
    await using worker = await spawnWorker('bad-model', [], { model: path });
    const { code, output } = await exitOf(worker);
    expect(code).toBe(1);
    expect(output).toContain("magic bytes are 3c 21 44 4f ('<!DO'), expected 'GGUF'");
  });

  it('a port in use: says so and exits 1', async () => {
    const port = await getPort({ host: '127.0.0.1' });
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    try {
      await using worker = await spawnWorker('port-taken', [], { port });
      const { code, output } = await exitOf(worker);
      expect(code).toBe(1);
      expect(output).toContain(`port ${port} on 127.0.0.1 is already in use`);
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });

  it('--port 0, --callback-url and --fault no-heartbeats: the hive hears one ready callback and nothing else', async () => {
    await using hive = await HeartbeatReceiver.start();
    const worker = await spawnWorker('callback', ['--hive-url', hive.url, '--heartbeat-interval', '0.05', '--fault', 'no-heartbeats', '--callback-url', `${hive.url}/workers/ready`], { port: 0 });
    try {
      const [, port] = await worker.guard.waitForLine(/^listening on http:\/\/127\.0\.0\.1:(\d+)$/, { timeoutMs: 20_000 });
      expect(Number(port)).toBeGreaterThan(0);
      const posts = await hive.waitUntil((all) => all.length >= 1, 'the ready callback', { failFastOn: [worker.guard] });
      expect(posts[0]).toMatchObject({ path: '/workers/ready', body: { worker_id: 'test-worker-callback', url: `http://127.0.0.1:${port}`, state: 'Ready', backend: 'cpu' } });
      const log = worker.guard.tail(100).join('\n');
      expect(log).toContain('[WARN] --callback-url is deprecated');
      expect(log).toContain('fault injected (no-heartbeats)');
      expect(await getJson(`http://127.0.0.1:${port}/v1/ready`)).toEqual({ status: 200, body: { ready: true } });
      // Serving a request takes longer than several 50 ms heartbeat intervals would.
      expect((await postJson(`http://127.0.0.1:${port}/v1/inference`, { prompt: 'x', max_tokens: 64 })).status).toBe(200);
    } finally {
      await stopCleanly(worker);
    }
    expect(hive.posts.map((post) => post.path)).toEqual(['/workers/ready']);
    expect(worker.guard.tail(200).some((line) => line.includes('Heartbeat #'))).toBe(false);
  });

  it('keeps serving when the hive is down, logging each failed heartbeat', async () => {
    const deadPort = await getPort({ host: '127.0.0.1' });
    const worker = await spawnWorker('hive-down', ['--hive-url', `http://127.0.0.1:${deadPort}`, '--heartbeat-interval', '0.05', '--load-delay-ms', '600000']);
    try {
      for (let beat = 1; beat <= 3; beat += 1) {
        await worker.guard.waitForLine(new RegExp(`Heartbeat #${beat} \\(state Loading\\) to http://127\\.0\\.0\\.1:${deadPort}/heartbeat/workers failed: ECONNREFUSED`), { timeoutMs: 10_000 });
      }
      expect(await getJson(`${worker.baseUrl}/v1/health`)).toEqual({ status: 503, body: { status: 'loading', model_loaded: false } });
      expect(worker.guard.running).toBe(true);
    } finally {
      await stopCleanly(worker);
    }
  });
});
