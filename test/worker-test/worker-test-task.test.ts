import { copyFileSync, existsSync, mkdtempSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureTinyModel } from '../../fixtures/tiny-model/write-tiny-llama.ts';
import { processesMatching } from '../../tasks/lib/process/find-processes.ts';
import { checkNamed, runTask, verdicts, type InProcessRun } from '../helpers/run-task-in-process.ts';
import { programCommand } from '../helpers/program-command.ts';

/** Short heartbeats; a startup budget that covers a start on a loaded 2-core machine (> 30 s seen there). */
const FAST = ['--heartbeat-interval', '0.3', '--timeout', '120'];

function nothingLeft(run: InProcessRun): void {
  for (const id of run.report.settings.workerIds as string[]) expect(processesMatching(id), `processes of ${id} left running`).toEqual([]);
}

describe('worker:test against the reference worker', () => {
  it('passes by default: healthy, heartbeats Loading → Ready, ready, real tokens as JSON and SSE, clean teardown', async () => {
    const run = await runTask(['worker:test', ...FAST]);
    expect(run.exitCode, run.output).toBe(0);
    expect(verdicts(run.report)).toEqual({
      'model file': 'pass',
      'worker command': 'pass',
      health: 'pass',
      ready: 'pass',
      heartbeats: 'pass',
      'heartbeat states': 'pass',
      'heartbeat interval': 'pass',
      'inference JSON POST /v1/inference': 'pass',
      'inference SSE POST /v1/inference': 'pass',
      teardown: 'pass',
    });
    expect(checkNamed(run.report, 'heartbeat states').detail).toBe('Loading → Ready');
    const json = checkNamed(run.report, 'inference JSON POST /v1/inference').evidence.result as { tokens: number; text: string };
    expect(json.tokens).toBe(32);
    expect(json.text.length).toBeGreaterThan(0);
    expect(checkNamed(run.report, 'teardown').detail).toMatch(/^SIGTERM → /);
    expect(run.output).toContain('✅ worker:test passed');
    expect(readFileSync(join(run.reportDir, 'logs', 'hive-heartbeats.log'), 'utf8')).toMatch(/Heartbeat #1 from worker: test-worker-[0-9a-f-]+ State: Loading/);
    nothingLeft(run);
  });

  it.each(['v1', 'llama-server', 'openai'])('passes with the %s profile', async (profile) => {
    const run = await runTask(['worker:test', '--profile', profile, ...FAST]);
    expect(run.exitCode, run.output).toBe(0);
    const inference = run.report.checks.filter((check) => check.name.startsWith('inference'));
    expect(inference.length).toBeGreaterThan(0);
    for (const check of inference) expect((check.evidence.result as { tokens: number }).tokens).toBeGreaterThan(0);
    nothingLeft(run);
  });

  it('runs several workers at once and benchmarks them', async () => {
    const run = await runTask(['worker:test', '--workers', '2', '--bench', '--bench-requests', '5', '--stream', 'sse', ...FAST]);
    expect(run.exitCode, run.output).toBe(0);
    const bench = checkNamed(run.report, 'worker-1 benchmark').evidence.bench as { requests: number; ttftMs: { p50: number }; tokensPerSecond: { p50: number } };
    expect(bench.requests).toBe(5);
    expect(bench.ttftMs.p50).toBeGreaterThan(0);
    expect(bench.tokensPerSecond.p50).toBeGreaterThan(0);
    expect(checkNamed(run.report, 'worker-2 heartbeats').verdict).toBe('pass');
    nothingLeft(run);
  });

  it('starts "your own worker" from --worker-cmd with placeholders filled, no shell', async () => {
    const cmd = `${programCommand('reference-worker')} --worker-id {workerId} --model {model} --port {port} --hive-url {hiveUrl} --heartbeat-interval {heartbeatInterval}`;
    const run = await runTask(['worker:test', '--worker-cmd', cmd, ...FAST]);
    expect(run.exitCode, run.output).toBe(0);
    nothingLeft(run);
  });
});

describe('worker:test with a profile from a file', () => {
  it('runs a user profile (own routes, own command template) from --profiles', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'hivecheck-profiles-')), 'profiles.json');
    writeFileSync(file, JSON.stringify({
      profiles: [{
        name: 'my-worker',
        description: 'the later protocol, started by my own command line',
        command: `${programCommand('reference-worker')} --api v1 --worker-id {workerId} --model {model} --port {port} --hive-url {hiveUrl} --heartbeat-interval {heartbeatInterval}`,
        health: { path: '/health', expect: 'status-ok' },
        inference: [{ path: '/v1/inference', request: 'seed', stream: 'always' }],
        heartbeats: { route: '/v1/heartbeat', states: ['loading', 'healthy'] },
      }],
    }));
    const run = await runTask(['worker:test', '--profiles', file, '--profile', 'my-worker', ...FAST]);
    expect(run.exitCode, run.output).toBe(0);
    expect(checkNamed(run.report, 'heartbeat states').detail).toBe('loading → healthy');
    expect(checkNamed(run.report, 'inference SSE POST /v1/inference').verdict).toBe('pass');
    nothingLeft(run);
  });

  it('a profile file with a wrong field is a usage error naming the field (exit 2)', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'hivecheck-profiles-')), 'profiles.json');
    writeFileSync(file, JSON.stringify({ profiles: [{ name: 'broken', health: { path: 'health', expect: 'status-ok' }, inference: [{ path: '/x', request: 'seed' }] }] }));
    const run = await runTask(['worker:test', '--profiles', file, '--profile', 'broken']);
    expect(run.exitCode).toBe(2);
    expect(run.output).toContain("worker profile 'broken' in");
    expect(run.output).toContain("health.path must start with '/', got 'health'");
  });

  it('an unknown profile name lists the known ones (exit 2)', async () => {
    const run = await runTask(['worker:test', '--profile', 'nope']);
    expect(run.exitCode).toBe(2);
    expect(run.output).toContain("no worker profile named 'nope' (known: llama-server, openai, seed, v1)");
  });
});

describe('worker:test failure runs', () => {
  it('a missing model file fails before anything is spawned (exit 3)', async () => {
    const run = await runTask(['worker:test', '--model', '/nonexistent/models/tinyllama.gguf']);
    expect(run.exitCode).toBe(3);
    const model = checkNamed(run.report, 'model file');
    expect(model.code).toBe('MODEL_NOT_FOUND');
    expect(model.detail).toContain('/nonexistent/models/tinyllama.gguf');
    expect(model.hint).toContain('--model');
    expect(run.report.checks.map((check) => check.name)).toEqual(['model file']);
    expect(existsSync(join(run.reportDir, 'logs', 'worker.log'))).toBe(false);
  });

  it('a file that is not a model fails before anything is spawned (exit 3)', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'hivecheck-model-')), 'model.gguf');
    writeFileSync(path, '<!DOCTYPE html><html>404 Not Found</html>');
    const run = await runTask(['worker:test', '--model', path]);
    expect(run.exitCode).toBe(3);
    expect(checkNamed(run.report, 'model file').code).toBe('MODEL_INVALID');
  });

  it('a truncated model (tensor data missing) fails before anything is spawned (exit 3)', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'hivecheck-model-')), 'truncated.gguf');
    copyFileSync(await ensureTinyModel(), path);
    truncateSync(path, 64 * 1024);
    const run = await runTask(['worker:test', '--model', path]);
    expect(run.exitCode).toBe(3);
    expect(checkNamed(run.report, 'model file').code).toBe('MODEL_INVALID');
    expect(checkNamed(run.report, 'model file').detail).toContain('truncated');
  });

  it('a corrupt model that only llama.cpp can refuse makes the worker exit: health fails fast with its log tail', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'hivecheck-model-')), 'unknown-arch.gguf');
    const bytes = readFileSync(await ensureTinyModel());
    const key = bytes.indexOf('general.architecture');
    const value = key + 'general.architecture'.length + 4 + 8; // key, then u32 type, u64 length
    expect(bytes.subarray(value, value + 5).toString()).toBe('llama');
    bytes.write('llamb', value);
    writeFileSync(path, bytes);
    const run = await runTask(['worker:test', '--model', path, '--timeout', '120']);
    expect(run.exitCode, run.output).toBe(1);
    const health = checkNamed(run.report, 'health');
    expect(health.code).toBe('PROCESS_EXITED');
    expect((health.evidence.logTail as string[]).join('\n')).toMatch(/llamb|architecture/i);
    expect(run.output).toContain('📋 worker (last');
    nothingLeft(run);
  });

  it('a worker that crashes at start fails the health check at once (not at the timeout)', async () => {
    const started = performance.now();
    const run = await runTask(['worker:test', '--worker-arg=--fault=crash-at-start', '--timeout', '60']);
    expect(run.exitCode).toBe(1);
    const health = checkNamed(run.report, 'health');
    expect(health.code).toBe('PROCESS_EXITED');
    expect(health.detail).toMatch(/^worker exited with code 1 while waiting for \/v1\/health to report healthy/);
    expect(health.hint).toMatch(/^fix what its log says; its last line: ".*fault injected \(crash-at-start\): exiting before listening"/);
    expect(run.output).toMatch(/fix: fix what its log says; its last line: /);
    expect(health.durationMs).toBeLessThan(30_000);
    expect(performance.now() - started).toBeLessThan(30_000);
    expect(checkNamed(run.report, 'heartbeats').verdict).toBe('skip');
    expect(run.output).toMatch(/📋 worker \(last \d+ lines/);
    nothingLeft(run);
  });

  it('a worker that never sends heartbeats fails the heartbeat check (exit 1)', async () => {
    const run = await runTask(['worker:test', '--worker-arg=--fault=no-heartbeats', '--heartbeat-timeout', '0.5', ...FAST]);
    expect(run.exitCode).toBe(1);
    const beats = checkNamed(run.report, 'heartbeats');
    expect(beats.code).toBe('WAIT_TIMEOUT');
    expect(beats.detail).toContain('last observed: 0 of 2 Ready heartbeats');
    expect(beats.hint).toMatch(/^the mock hive got no heartbeat at all: the worker must POST heartbeats to the hive URL it is given \(\{hiveUrl\}\) every /);
    expect(checkNamed(run.report, 'health').verdict).toBe('pass');
    expect(run.output).toContain('📋 mock-hive heartbeats');
    nothingLeft(run);
  });

  it('a worker whose /v1/ready stays false times out on ready (it does not fail fast: it answers "not yet")', async () => {
    // The startup budget must cover a start on a loaded machine (it took > 8 s there); the ready
    // wait gets its own short budget, counted once the worker is healthy.
    const run = await runTask(['worker:test', '--worker-arg=--fault=never-ready', '--timeout', '120', '--ready-timeout', '1', ...FAST]);
    expect(run.exitCode).toBe(1);
    expect(checkNamed(run.report, 'health').verdict, checkNamed(run.report, 'health').detail).toBe('pass');
    const ready = checkNamed(run.report, 'ready');
    expect(ready.code).toBe('WAIT_TIMEOUT');
    expect(ready.detail).toContain('waiting for /v1/ready to say ready (--ready-timeout 1.00 s, counted from healthy)');
    expect(ready.detail).toMatch(/last observed: not ready yet: HTTP \d+ \{"ready":false/);
    nothingLeft(run);
  });

  it('a health route that answers 500 stops after 10 consecutive errors, before the timeout', async () => {
    const run = await runTask(['worker:test', '--worker-arg=--fault=health-errors', '--timeout', '60']);
    expect(run.exitCode).toBe(1);
    const health = checkNamed(run.report, 'health');
    expect(health.code).toBe('ENDPOINT_ERRORS');
    expect(health.detail).toContain('failed 10 times in a row');
    expect(health.hint).toMatch(/^it answered HTTP 500 \{"status":"error".*: answer 503 while loading \(the harness keeps waiting on 503\) and 200 once ready/);
    expect(health.durationMs).toBeLessThan(20_000);
    nothingLeft(run);
  });

  it('a port that is already taken is an environment error (exit 3) and nothing is started', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const run = await runTask(['worker:test', '--port', String(port)]);
      expect(run.exitCode).toBe(3);
      const ports = checkNamed(run.report, 'ports free');
      expect(ports.code).toBe('PORT_IN_USE');
      expect(ports.detail).toContain(`port ${port} (--port) is already in use`);
      expect(run.report.checks.some((check) => check.name === 'health')).toBe(false);
    } finally {
      blocker.close();
    }
  });

  it('a worker binary that does not exist is an environment error (exit 3)', async () => {
    const run = await runTask(['worker:test', '--worker-bin', '/nonexistent/llm-worker']);
    expect(run.exitCode).toBe(3);
    expect(checkNamed(run.report, 'worker command').code).toBe('WORKER_BIN_MISSING');
  });

  it('conflicting flags are a usage error (exit 2)', async () => {
    const run = await runTask(['worker:test', '--worker-bin', '/a', '--worker-cmd', '/b']);
    expect(run.exitCode).toBe(2);
    expect(run.output).toContain('--worker-bin and --worker-cmd both say how to start the worker');
  });
});
