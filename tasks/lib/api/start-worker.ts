import { randomUUID } from 'node:crypto';
import getPort from 'get-port';
import { ensureTinyModel } from '../../../fixtures/tiny-model/write-tiny-llama.ts';
import { referenceWorkerBase, REFERENCE_ARGS } from '../../worker-test/reference-worker.ts';
import { fillTemplate, parseCommandTemplate } from '../cli/command-template.ts';
import { checkReferenceEngine } from '../preflight/engine-check.ts';
import { ProcessGuard } from '../process/process-guard.ts';
import { httpReadiness } from '../wait-strategies/http-wait-strategy.ts';
import { waitFor } from '../wait-strategies/wait-for.ts';

export interface StartWorkerOptions {
  /**
   * Your worker's command line with placeholders, as `worker:test --worker-cmd` takes it:
   * `{port}`, `{hiveUrl}`, `{model}`, `{workerId}`, `{modelRef}`, `{backend}`, `{device}`,
   * `{heartbeatInterval}`, `{threads}`, `{contextSize}`. Default: the built-in reference worker.
   */
  command?: string;
  /** Where it sends heartbeats: a `MockHive`'s `url`. */
  hiveUrl: string;
  /** The model file (default: the generated tiny model, written into the state dir). */
  model?: string;
  workerId?: string;
  /** Health route that answers 200 once the model is loaded (default `/v1/health`, the worker-hive protocol's). */
  healthPath?: string;
  heartbeatIntervalS?: number;
  /** How long to wait for health (default 60 s); the wait fails at once if the worker exits. */
  timeoutMs?: number;
  /** Where its output goes, line by line (default: kept in memory only; `worker.tail()`). */
  logFile?: string;
}

/** A worker running under a guard, healthy. `await using` stops its whole process group. */
export interface StartedWorker extends AsyncDisposable {
  guard: ProcessGuard;
  workerId: string;
  port: number;
  /** `http://127.0.0.1:<port>` */
  url: string;
  model: string;
}

/**
 * Starts a worker (yours, or the reference worker) under a guard — its own process group, output in
 * a ring buffer, a run record for the watchdog — and waits, event-driven, until its health route
 * answers 200. Throws a HarnessError with its log tail if it exits or the wait times out.
 */
export async function startWorker(options: StartWorkerOptions): Promise<StartedWorker> {
  if (options.command === undefined) checkReferenceEngine('cpu');
  const port = await getPort({ host: '127.0.0.1' });
  const workerId = options.workerId ?? `test-worker-${randomUUID()}`;
  const model = options.model ?? (await ensureTinyModel());
  const template = options.command === undefined ? [...referenceWorkerBase(), ...REFERENCE_ARGS] : parseCommandTemplate(options.command, 'command');
  const values = { port, hiveUrl: options.hiveUrl, model, workerId, modelRef: 'hivecheck/tiny', backend: 'cpu', device: 0, heartbeatInterval: options.heartbeatIntervalS ?? 1, threads: 1, contextSize: 256 };
  const [command, ...args] = fillTemplate(template, values, 'command') as [string, ...string[]];
  const guard = await ProcessGuard.start({ name: 'worker', command, args, ...(options.logFile ? { logFile: options.logFile } : {}) });
  const url = `http://127.0.0.1:${port}`;
  const healthPath = options.healthPath ?? '/v1/health';
  try {
    await waitFor(httpReadiness({ url: `${url}${healthPath}`, ownerAlive: () => guard.running }), { description: `worker ${healthPath} to answer 200 on port ${port}`, timeoutMs: options.timeoutMs ?? 60_000, failFastOn: [guard] });
  } catch (error) {
    await guard.stop();
    throw error;
  }
  return { guard, workerId, port, url, model, [Symbol.asyncDispose]: async () => void (await guard.stop()) };
}
