import type { ProcessGuard } from '../lib/process/process-guard.ts';
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
}

/** Any worker the checks can probe, started by the harness or not. */
export type CheckedWorker = WorkerUnderTest<WorkerProcess>;
