import type { ProcessGuard } from '../lib/process/process-guard.ts';
import type { WorkerHang } from './worker-hang.ts';
import type { ExitWatch } from '../lib/wait-strategies/wait-for.ts';

/**
 * What the checks watch of a worker's process: a `ProcessGuard` when the harness started it, a
 * `RemoteWorkerProcess` (never seen to exit) for a worker it did not start (`--url`).
 */
export type WorkerProcess = ExitWatch & { readonly running: boolean };

/** One worker under test and how checks refer to it (started by the harness unless `P` says otherwise). */
export interface WorkerUnderTest<P extends WorkerProcess = ProcessGuard> {
  guard: P;
  workerId: string;
  baseUrl: string;
  port: number;
  /** Prefix for check names: '' for a single worker on one backend, `[cuda] worker-2 ` otherwise. */
  label: string;
  /** Model name for OpenAI-style requests: --model-ref, or the first id the worker lists at /v1/models. */
  modelName: string;
  /** performance.now() by which the worker must be healthy and ready (--timeout after its start). */
  startupDeadline: number;
  /** Sent with every request: --api-key as a bearer token, --header. */
  headers: Record<string, string>;
  /** The profile's health route: asked once, briefly, when a request timed out (is it hung or slow?). */
  healthPath?: string;
  /** Set once a timed-out request found the worker hung (stopped, or not answering): later checks are skipped with this reason. */
  hung?: WorkerHang;
}

/** Any worker the checks can probe, started by the harness or not. */
export type CheckedWorker = WorkerUnderTest<WorkerProcess>;
