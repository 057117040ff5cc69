/** Starting the real reference worker under a ProcessGuard, for the tests in this folder. */
import getPort from 'get-port';
import { afterAll, beforeAll, expect } from 'vitest';
import { ensureTinyModel } from '../../fixtures/tiny-model/write-tiny-llama.ts';
import { tryHttp, type HttpResponse } from '../../tasks/lib/http/http-client.ts';
import { ProcessGuard } from '../../tasks/lib/process/process-guard.ts';
import { nodeProgram } from '../../tasks/lib/process/node-program.ts';
import { isPidAlive } from '../../tasks/lib/process/process-groups.ts';
import { httpReadiness, type AnswerClassifier } from '../../tasks/lib/wait-strategies/http-wait-strategy.ts';
import { waitFor } from '../../tasks/lib/wait-strategies/wait-for.ts';
import { repoPath } from '../helpers/fixture-path.ts';
import { HeartbeatReceiver } from './heartbeat-receiver.ts';

export const WORKER_MAIN = repoPath('fixtures/reference-worker/src/main.ts');
/** Generous for a loaded 2-core CI box: a healthy start takes ~1.5 s idle, over 30 s was seen at load 20+. */
export const START_TIMEOUT_MS = 120_000;

export interface StartedWorker extends AsyncDisposable {
  guard: ProcessGuard;
  port: number;
  baseUrl: string;
  workerId: string;
}

export async function tinyModel(): Promise<string> {
  return await ensureTinyModel();
}

/** Spawns the worker; `args` come after `--worker-id`, `--model` and `--port` (pass your own `--model` to override). */
export async function spawnWorker(name: string, args: readonly string[] = [], options: { port?: number; model?: string } = {}): Promise<StartedWorker> {
  const port = options.port ?? (await getPort({ host: '127.0.0.1' }));
  const workerId = `test-worker-${name}`;
  const model = options.model ?? (await tinyModel());
  const guard = await ProcessGuard.start({
    name: `worker-${name}`,
    command: process.execPath,
    args: [...nodeProgram('reference-worker').slice(1), '--worker-id', workerId, '--model', model, '--port', String(port), ...args],
    cwd: repoPath(''),
    graceMs: 5000,
  });
  return { guard, port, baseUrl: `http://127.0.0.1:${port}`, workerId, [Symbol.asyncDispose]: async () => void (await guard.stop()) };
}

/** Waits until `path` answers 200 (503 counts as "still loading"), failing at once if the worker exits. */
export async function waitUntilReady(worker: StartedWorker, path: string, classify?: AnswerClassifier): Promise<HttpResponse> {
  const outcome = await waitFor(httpReadiness({ url: `${worker.baseUrl}${path}`, ownerAlive: () => worker.guard.running, ...(classify ? { classify } : {}) }), {
    description: `${worker.guard.name} ${path} to answer 200`,
    timeoutMs: START_TIMEOUT_MS,
    failFastOn: [worker.guard],
  });
  return outcome.value.response;
}

export async function startReadyWorker(name: string, readyPath: string, args: readonly string[] = []): Promise<StartedWorker> {
  const worker = await spawnWorker(name, args);
  await waitUntilReady(worker, readyPath);
  return worker;
}

const EXIT_TIMEOUT_MS = 20_000;

/** Waits for the worker to exit on its own (bounded) and returns its code and output. */
export async function exitOf(worker: StartedWorker): Promise<{ code: number | null; output: string }> {
  const info = await Promise.race([
    worker.guard.settled,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`worker did not exit within ${EXIT_TIMEOUT_MS} ms:\n${worker.guard.tail(20).join('\n')}`)), EXIT_TIMEOUT_MS).unref()),
  ]);
  await worker.guard.stop();
  return { code: info.code, output: worker.guard.tail(50).join('\n') };
}

/** SIGTERM and check the worker left cleanly: exit code 0, its group gone. */
export async function stopCleanly(worker: StartedWorker | undefined): Promise<void> {
  if (!worker) return;
  const report = await worker.guard.stop();
  if (process.env.HIVECHECK_TEST_TIMING) console.log(`${worker.guard.name}: stopped in ${Math.round(report.durationMs)} ms, up ${Math.round(worker.guard.uptimeMs)} ms`);
  expect(report.signal, worker.guard.tail(20).join('\n')).toBe('SIGTERM');
  expect(report.exit, worker.guard.tail(20).join('\n')).toEqual({ code: 0, signal: null });
  expect(report.survivors).toEqual([]);
  expect(isPidAlive(worker.guard.pid)).toBe(false);
  expect(worker.guard.tail(3).join('\n')).toContain('Worker stopped');
}

export async function getJson(url: string): Promise<{ status: number; body: unknown }> {
  const outcome = await tryHttp(url, { timeoutMs: 10_000 });
  if (!outcome.ok) throw new Error(`GET ${url}: ${outcome.failure.message}`);
  return { status: outcome.response.status, body: JSON.parse(outcome.response.text) as unknown };
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown; headers: HttpResponse['headers'] }> {
  const outcome = await tryHttp(url, { method: 'POST', ...(typeof body === 'string' ? { body, headers: { 'content-type': 'application/json', ...headers } } : { json: body, headers }), timeoutMs: 20_000 });
  if (!outcome.ok) throw new Error(`POST ${url}: ${outcome.failure.message}`);
  return { status: outcome.response.status, body: JSON.parse(outcome.response.text) as unknown, headers: outcome.response.headers };
}

/** The JSON payloads of an SSE answer (`[DONE]` kept as the string). */
export function ssePayloads(events: readonly { data: string }[]): unknown[] {
  return events.map((event) => (event.data === '[DONE]' ? '[DONE]' : (JSON.parse(event.data) as unknown)));
}

/**
 * One worker shared by a test file, beside an in-test hive: `start` runs before the file's tests;
 * worker and hive are stopped after them. The accessors throw if the start failed.
 */
export function sharedWorker(start: (hive: HeartbeatReceiver) => Promise<StartedWorker>): { worker: () => StartedWorker; hive: () => HeartbeatReceiver } {
  let worker: StartedWorker | undefined;
  let hive: HeartbeatReceiver | undefined;
  beforeAll(async () => {
    hive = await HeartbeatReceiver.start();
    worker = await start(hive);
  });
  afterAll(async () => {
    await stopCleanly(worker);
    await hive?.[Symbol.asyncDispose]();
  });
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} did not start`);
    return value;
  };
  return { worker: () => started(worker, 'worker'), hive: () => started(hive, 'hive') };
}
