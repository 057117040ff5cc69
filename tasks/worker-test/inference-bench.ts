import { HarnessError } from '../lib/errors/harness-error.ts';
import { spread } from '../lib/stats/percentiles.ts';
import { runInference, type InferenceResult } from '../lib/worker/inference-styles.ts';
import { describeAgreement, timingAgreement } from '../lib/worker/timing-agreement.ts';
import type { TaskContext } from '../runner/task-context.ts';
import { inferenceRequest } from './inference-request.ts';
import type { WorkerTestPlan } from './worker-test-plan.ts';
import type { CheckedWorker } from './worker-under-test.ts';
import { workerCheck } from './worker-watch.ts';

const ms = (value: number): string => `${value.toFixed(1)} ms`;

/**
 * `--bench`: K requests in a row, the same prompt each time (a server with a prompt cache reuses
 * it), against the first inference endpoint (streamed when it can stream, so time to first token
 * is real), reported as TTFT, latency and tokens/s p50/p95. These are client-side figures: they
 * include the HTTP round trip, and tokens/s includes TTFT. Where the answers carry the worker's
 * own `timings`, the bench sets its figures beside them (agreement).
 */
export async function benchmarkInference(context: TaskContext, plan: WorkerTestPlan, worker: CheckedWorker): Promise<void> {
  const endpoint = plan.profile.inference[0];
  if (!endpoint) return;
  const streamed = endpoint.stream !== 'never';
  await workerCheck(context, worker, 'benchmark', `benchmark request to POST ${endpoint.path}`, async (signal) => {
    const results: InferenceResult[] = [];
    const started = performance.now();
    for (let i = 0; i < plan.benchRequests; i += 1) {
      results.push(await runInference(worker.baseUrl, endpoint, { ...inferenceRequest(plan, worker, 1000 + i), signal }, streamed));
    }
    const wall = performance.now() - started;
    const ttft = spread(results.map((result) => result.firstTokenMs));
    const latency = spread(results.map((result) => result.durationMs));
    const rate = spread(results.map((result) => (result.tokens / result.durationMs) * 1000));
    const tokens = results.reduce((sum, result) => sum + result.tokens, 0);
    if (tokens === 0) throw new HarnessError('BENCH_NO_TOKENS', 'no tokens were generated during the benchmark');
    const serverRate = results.map((result) => result.serverTimings?.predictedPerSecond).filter((value): value is number => value !== undefined);
    const agreement = timingAgreement(results);
    const tokenSources = [...new Set(results.map((result) => result.tokenSource))];
    const figures = {
      requests: results.length, streamed, ttftMs: ttft, latencyMs: latency, tokensPerSecond: rate, totalTokens: tokens, wallMs: wall, aggregateTokensPerSecond: (tokens / wall) * 1000,
      tokenCount: tokenSources.join('+'),
      ...(serverRate.length ? { serverEvalTokensPerSecond: spread(serverRate) } : {}),
      ...(agreement ? { agreement } : {}),
    };
    const server = serverRate.length ? `; server eval ${spread(serverRate).p50.toFixed(0)} tokens/s p50` : '';
    return {
      detail: `${results.length} requests (${streamed ? 'SSE' : 'JSON'}, same prompt): TTFT p50 ${ms(ttft.p50)} p95 ${ms(ttft.p95)}; latency p50 ${ms(latency.p50)} p95 ${ms(latency.p95)}; ${rate.p50.toFixed(0)} tokens/s p50 (p95 ${rate.p95.toFixed(0)}; client-side, incl. TTFT and HTTP; ${describeTokenSources(results)})${server}${agreement ? `. Client vs worker's own timings (p50): ${describeAgreement(agreement)}` : ''}`,
      evidence: { bench: figures },
    };
  });
}

/** Where the bench's token counts came from: the server's own, counted from events, or which for how many. */
export function describeTokenSources(results: ReadonlyArray<Pick<InferenceResult, 'tokenSource'>>): string {
  const fromServer = results.filter((result) => result.tokenSource === 'server').length;
  if (fromServer === results.length) return "server's token counts";
  if (fromServer === 0) return 'tokens counted from events';
  return `server's token counts for ${fromServer} of ${results.length} requests, counted from events for the rest`;
}
