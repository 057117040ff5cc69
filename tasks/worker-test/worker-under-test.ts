import type { ProcessGuard } from '../lib/process/process-guard.ts';

/** One started worker and how checks refer to it. */
export interface WorkerUnderTest {
  guard: ProcessGuard;
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
