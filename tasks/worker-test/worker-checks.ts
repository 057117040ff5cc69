import { heartbeatChecksFor } from './heartbeat-checks.ts';
import { benchmarkInference } from './inference-bench.ts';
import type { MockHive } from '../../mock-hive/mock-hive-server.ts';
import { HarnessError } from '../lib/errors/harness-error.ts';
import { tryHttp } from '../lib/http/http-client.ts';
import { formatDuration } from '../lib/time/format-duration.ts';
import { quoteForTerminal } from '../lib/output/quote-for-terminal.ts';
import { httpReadiness, type AnswerClassifier } from '../lib/wait-strategies/http-wait-strategy.ts';
import { waitFor } from '../lib/wait-strategies/wait-for.ts';
import { healthClassifier, modelIds, readyFlagClassifier } from '../lib/worker/answer-judges.ts';
import { runInference } from '../lib/worker/inference-styles.ts';
import { inferenceRequest } from './inference-request.ts';
import type { InferenceEndpoint } from '../lib/worker/worker-profile.ts';
import type { TaskContext } from '../runner/task-context.ts';
import type { WorkerTestPlan } from './worker-test-plan.ts';
import type { WorkerUnderTest } from './worker-under-test.ts';

/** Waits for an endpoint to say ready (fail fast on exit and on repeated errors) and describes the wait. */
export async function awaitEndpoint(plan: WorkerTestPlan, worker: WorkerUnderTest, path: string, classify: AnswerClassifier, what: string): Promise<string> {
  const outcome = await waitFor(
    httpReadiness({ url: `${worker.baseUrl}${path}`, classify, maxConsecutiveErrors: plan.failAfterErrors, ownerAlive: () => worker.guard.running, lane: `probe:${worker.guard.name} ${path}` }),
    { description: `${what} (startup budget ${formatDuration(plan.timeoutMs)})`, timeoutMs: Math.max(0, worker.startupDeadline - performance.now()), failFastOn: [worker.guard] },
  );
  const { response, tally } = outcome.value;
  const seen = Object.entries(tally)
    .filter(([, n]) => n > 0)
    .map(([kind, n]) => `${n} ${kind}`)
    .join(', ');
  return `HTTP ${response.status} ${response.text.trim().slice(0, 120)} after ${formatDuration(outcome.elapsedMs)} (${outcome.attempts} probe${outcome.attempts === 1 ? '' : 's'}${seen ? `: ${seen}` : ''})`;
}

/** The answer forms to check for an endpoint: JSON and/or SSE, as the endpoint allows and --stream asks. */
export function formsFor(endpoint: InferenceEndpoint, stream: WorkerTestPlan['stream']): boolean[] {
  if (endpoint.stream === 'always') return [true];
  if (endpoint.stream === 'never') return [false];
  return stream === 'both' ? [false, true] : [stream === 'sse'];
}

async function checkInference(context: TaskContext, plan: WorkerTestPlan, worker: WorkerUnderTest): Promise<void> {
  let n = 0;
  for (const endpoint of plan.profile.inference) {
    for (const streamed of formsFor(endpoint, plan.stream)) {
      n += 1;
      await context.report.check(`${worker.label}inference ${streamed ? 'SSE' : 'JSON'} POST ${endpoint.path}`, async () => {
        const result = await runInference(worker.baseUrl, endpoint, inferenceRequest(plan, worker, n), streamed);
        const timing = streamed ? `first token ${formatDuration(result.firstTokenMs)}, ${result.events} events` : 'one answer';
        return {
          detail: `${result.tokens} token${result.tokens === 1 ? '' : 's'} in ${formatDuration(result.durationMs)} (${timing}, finish ${result.finishReason ?? 'n/a'}): ${quoteForTerminal(result.text.slice(0, 60))}`,
          evidence: { result },
        };
      });
    }
  }
}

/**
 * The whole check sequence for one worker: health → ready → heartbeats (Ready ones follow
 * ready) → models → inference (→ bench). A worker that never gets healthy skips the rest, with the reason.
 */
export async function checkWorker(context: TaskContext, plan: WorkerTestPlan, hive: MockHive, worker: WorkerUnderTest): Promise<void> {
  const { report } = context;
  const { profile } = plan;
  const healthy = await report.check(`${worker.label}health`, () => awaitEndpoint(plan, worker, profile.health.path, healthClassifier(profile.health.expect), `${profile.health.path} to report healthy`));
  const later = [
    ...(profile.ready ? ['ready'] : []),
    ...(profile.heartbeats ? ['heartbeats', 'heartbeat states', 'heartbeat interval'] : []),
    ...(profile.models ? ['models'] : []),
    'inference',
    ...(plan.bench ? ['benchmark'] : []),
  ];
  if (!healthy) {
    for (const name of later) report.skip(`${worker.label}${name}`, 'the worker never became healthy');
    return;
  }
  if (profile.ready) {
    const ready = profile.ready;
    const isReady = await report.check(`${worker.label}ready`, () => awaitEndpoint(plan, worker, ready.path, readyFlagClassifier, `${ready.path} to say ready`));
    if (!isReady) {
      for (const name of later.slice(1)) report.skip(`${worker.label}${name}`, 'the worker never became ready');
      return;
    }
  }
  if (profile.heartbeats) await heartbeatChecksFor(context, plan, hive, worker, profile.heartbeats.states);
  else report.skip(`${worker.label}heartbeats`, `the ${profile.name} profile sends no heartbeats`);
  if (profile.models) {
    const models = profile.models;
    await report.check(`${worker.label}models`, async () => {
      const outcome = await tryHttp(`${worker.baseUrl}${models.path}`, { timeoutMs: plan.inferenceTimeoutMs });
      if (!outcome.ok) throw new HarnessError('MODELS_FAILED', `GET ${models.path}: ${outcome.failure.kind} (${outcome.failure.message})`);
      const ids = modelIds(outcome.response);
      if (typeof ids === 'string') throw new HarnessError('MODELS_INVALID', `GET ${models.path}: ${ids}`, { evidence: { body: outcome.response.text.slice(0, 2000) } });
      if (!ids.includes(worker.modelName)) worker.modelName = ids[0] as string;
      return `${ids.length} model${ids.length === 1 ? '' : 's'}: ${ids.join(', ')}; requests will name ${worker.modelName}`;
    });
  }
  await checkInference(context, plan, worker);
  if (plan.bench) await benchmarkInference(context, plan, worker);
}
