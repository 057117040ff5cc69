import type { InferenceRequest } from '../lib/worker/inference-styles.ts';
import type { WorkerTestPlan } from './worker-test-plan.ts';
import type { CheckedWorker } from './worker-under-test.ts';

/** The request every inference check sends, numbered per worker so job ids stay unique. */
export function inferenceRequest(plan: WorkerTestPlan, worker: CheckedWorker, n: number): InferenceRequest {
  return { prompt: plan.prompt, maxTokens: plan.maxTokens, temperature: plan.temperature, jobId: `${worker.workerId}-job-${String(n).padStart(3, '0')}`, model: worker.modelName, timeoutMs: plan.inferenceTimeoutMs, headers: worker.headers };
}
