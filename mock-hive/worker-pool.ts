import getPort from 'get-port';
import { HarnessError } from '../tasks/lib/errors/harness-error.ts';
import { inspectModelFile } from '../tasks/lib/model/model-file.ts';
import { describeExit, ProcessGuard, type ExitInfo, type GuardOptions, type StopReport } from '../tasks/lib/process/process-guard.ts';
import { Redactor } from '../tasks/lib/process/redact.ts';
import type { Heartbeat } from './heartbeat.ts';
import type { SpawnRequest } from './spawn-request.ts';

/** Values a launcher fills into the worker's command line. */
export interface LaunchValues {
  workerId: string;
  port: number;
  hiveUrl: string;
  hivePort: number;
  /** The hive's token, when it has one: the worker must send it with its heartbeats. */
  hiveToken?: string;
}

/** Turns a spawn request into the worker's argv (no shell). Throws a usage `HarnessError` for a request it cannot serve. */
export type Launcher = (request: SpawnRequest & { workerId: string }, values: LaunchValues) => string[];

/** Starts a guarded process; the harness passes its own so worker logs land in the run's logs. */
export type ProcessStarter = (options: GuardOptions) => Promise<ProcessGuard>;

export interface WorkerPoolOptions {
  launcher: Launcher;
  start?: ProcessStarter;
  /** SIGTERM → SIGKILL grace when a worker is stopped. */
  graceMs?: number;
  /** Where worker logs go when `start` is the default (`<logDir>/<worker id>.log`). */
  logDir?: string;
}

/** A worker as the hive tracks it: spawned here, or known from its heartbeats. */
export interface PooledWorker {
  workerId: string;
  url: string;
  port: number;
  modelPath: string;
  modelRef: string;
  backend: string;
  device: number;
  pid: number | undefined;
  /** `Starting` until its first heartbeat, then the state it reports; `Exited` / `Stopped` once its process is gone. */
  state: string;
  heartbeats: number;
  spawnedAt: string;
  lastHeartbeatAt?: string;
  exit?: ExitInfo;
  logFile?: string;
}

/** The wire form of a worker (snake_case, as the hive API answers). */
export function workerJson(worker: PooledWorker): Record<string, unknown> {
  return {
    worker_id: worker.workerId,
    url: worker.url,
    model_path: worker.modelPath,
    model_ref: worker.modelRef,
    backend: worker.backend,
    device: worker.device,
    pid: worker.pid ?? null,
    state: worker.state,
    heartbeats: worker.heartbeats,
    spawned_at: worker.spawnedAt,
    last_heartbeat_at: worker.lastHeartbeatAt ?? null,
    exit: worker.exit ?? null,
  };
}

const GONE = new Set(['Exited', 'Stopped']);

/**
 * The hive's workers: spawns each under a `ProcessGuard` (own process group, torn down
 * SIGTERM → grace → SIGKILL), refuses a model file that is missing or not a GGUF before
 * spawning anything (a seed 004 defect), follows heartbeats into each worker's state, and stops
 * one or all of them.
 */
export class WorkerPool {
  readonly #options: WorkerPoolOptions;
  readonly #workers = new Map<string, PooledWorker>();
  readonly #guards = new Map<string, ProcessGuard>();
  readonly #listeners = new Set<(event: string) => void>();
  readonly #stops = new Map<string, Promise<StopReport>>();
  #next = 1;

  constructor(options: WorkerPoolOptions) {
    this.#options = options;
  }

  onEvent(listener: (event: string) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(event: string): void {
    for (const listener of this.#listeners) listener(event);
  }

  async spawn(request: SpawnRequest, hive: { url: string; port: number; token?: string }): Promise<PooledWorker> {
    const workerId = request.workerId ?? `worker-${this.#next++}`;
    const existing = this.#workers.get(workerId);
    if (existing && !GONE.has(existing.state)) throw new HarnessError('WORKER_EXISTS', `worker ${workerId} is already running (pid ${existing.pid}, ${existing.state})`, { kind: 'usage' });
    // Seed 004: the hive spawned workers for model files that did not exist. Validate first.
    const model = await inspectModelFile(request.modelPath);
    const port = await getPort({ host: '127.0.0.1' });
    const argv = this.#options.launcher({ ...request, workerId }, { workerId, port, hiveUrl: hive.url, hivePort: hive.port, ...(hive.token === undefined ? {} : { hiveToken: hive.token }) });
    const name = `worker ${workerId}`.replace(/[^\w.-]+/g, '-');
    const options: GuardOptions = { name, command: argv[0] as string, args: argv.slice(1), graceMs: this.#options.graceMs };
    const guard = this.#options.start ? await this.#options.start(options) : await ProcessGuard.start({ ...options, logFile: this.#options.logDir ? `${this.#options.logDir}/${name}.log` : undefined });
    const worker: PooledWorker = {
      workerId, url: `http://127.0.0.1:${port}`, port, modelPath: model.path, modelRef: request.modelRef, backend: request.backend, device: request.device,
      pid: guard.pid, state: 'Starting', heartbeats: 0, spawnedAt: new Date().toISOString(), ...(guard.logFile ? { logFile: guard.logFile } : {}),
    };
    this.#workers.set(workerId, worker);
    this.#guards.set(workerId, guard);
    this.#stops.delete(workerId);
    this.#emit(`Spawned worker ${workerId} (pid ${guard.pid}, port ${port}, ${request.backend}:${request.device}, model ${request.modelRef}): ${new Redactor(hive.token === undefined ? [] : [hive.token]).redact(argv.join(' '))}`);
    void guard.exited.then((exit) => {
      worker.exit = exit;
      const stopped = worker.state === 'Stopping';
      worker.state = stopped ? 'Stopped' : 'Exited';
      this.#emit(`Worker ${workerId} ${describeExit(exit)}${stopped ? ' (stopped by the hive)' : ''}`);
    });
    return worker;
  }

  /** A heartbeat updates the sender's state; an unknown sender is registered as it reports itself. */
  heartbeat(beat: Heartbeat): void {
    let worker = this.#workers.get(beat.workerId);
    if (!worker) {
      worker = { workerId: beat.workerId, url: '', port: 0, modelPath: '', modelRef: '', backend: '', device: 0, pid: undefined, state: beat.state, heartbeats: 0, spawnedAt: new Date(beat.receivedAt).toISOString() };
      this.#workers.set(beat.workerId, worker);
    }
    worker.heartbeats += 1;
    worker.lastHeartbeatAt = new Date(beat.receivedAt).toISOString();
    if (!GONE.has(worker.state) && worker.state !== 'Stopping') worker.state = beat.state;
  }

  list(): PooledWorker[] {
    return [...this.#workers.values()];
  }

  get(workerId: string): PooledWorker | undefined {
    return this.#workers.get(workerId);
  }

  /** The guard of a worker this hive spawned (for in-process callers: fail-fast waits, log tails). */
  guard(workerId: string): ProcessGuard | undefined {
    return this.#guards.get(workerId);
  }

  /** Stops a worker's process group (idempotent: every caller gets the same report). */
  stop(workerId: string): Promise<StopReport | undefined> {
    const guard = this.#guards.get(workerId);
    const worker = this.#workers.get(workerId);
    if (!guard || !worker) return Promise.resolve(undefined);
    let stopping = this.#stops.get(workerId);
    if (!stopping) {
      if (!GONE.has(worker.state)) worker.state = 'Stopping';
      stopping = guard.stop().then((report) => {
        if (worker.state === 'Stopping') worker.state = 'Stopped';
        this.#emit(`Stopped worker ${workerId}: ${report.signal === 'none' ? 'had already exited' : report.signal}${report.survivors.length ? `; survivors ${report.survivors.join(', ')}` : ''}`);
        return report;
      });
      this.#stops.set(workerId, stopping);
    }
    return stopping;
  }

  async stopAll(): Promise<void> {
    await Promise.allSettled([...this.#guards.keys()].map((id) => this.stop(id)));
  }
}
