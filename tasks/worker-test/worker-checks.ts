import { heartbeatChecksFor } from './heartbeat-checks.ts';
import { benchmarkInference } from './inference-bench.ts';
import type { MockHive } from '../../mock-hive/mock-hive-server.ts';
import { HarnessError } from '../lib/errors/harness-error.ts';
import { tryHttp } from '../lib/http/http-client.ts';
import { formatDuration } from '../lib/time/format-duration.ts';
import { quoteForTerminal } from '../lib/output/quote-for-terminal.ts';
import { describeAnswers, httpReadiness, readinessErrorsHint, readinessTimeoutHint, type AnswerClassifier } from '../lib/wait-strategies/http-wait-strategy.ts';
import { waitFor } from '../lib/wait-strategies/wait-for.ts';
import { healthClassifier, modelIds, readyFlagClassifier } from '../lib/worker/answer-judges.ts';
import { runInference, type InferenceResult } from '../lib/worker/inference-styles.ts';
import { inferenceRequest } from './inference-request.ts';
import type { InferenceEndpoint } from '../lib/worker/worker-profile.ts';
import type { CheckOutcome } from '../lib/report/run-report.ts';
import type { TaskContext } from '../runner/task-context.ts';
import type { WorkerTestPlan } from './worker-test-plan.ts';
import type { CheckedWorker } from './worker-under-test.ts';
import { HANG_PROBE_TIMEOUT_MS, HEALTH_UNANSWERED } from './worker-hang.ts';
import { workerCheck } from './worker-watch.ts';

/**
 * Waits for an endpoint to say ready (fail fast on exit and on repeated errors) and describes the
 * wait; the evidence lists the answers seen (`503 Loading model ×20 → 200 {"status":"ok"}`).
 */
export async function awaitEndpoint(plan: WorkerTestPlan, worker: CheckedWorker, path: string, classify: AnswerClassifier, what: string, signal?: AbortSignal, budget?: { timeoutMs: number; label: string }): Promise<CheckOutcome> {
  const url = `${worker.baseUrl}${path}`;
  const timeoutMs = budget?.timeoutMs ?? Math.max(0, worker.startupDeadline - performance.now());
  const label = budget?.label ?? `startup budget ${formatDuration(plan.timeoutMs)}`;
  // Each request gets the limit the hang diagnosis gives a health request: a health wait whose last
  // request went unanswered has already made that diagnosis's observation (it is not asked again).
  const probe = httpReadiness({ url, classify, maxConsecutiveErrors: plan.failAfterErrors, ownerAlive: () => worker.guard.running, headers: worker.headers, lane: `probe:${worker.guard.name} ${path}`, requestTimeoutMs: HANG_PROBE_TIMEOUT_MS });
  let outcome;
  try {
    outcome = await waitFor(probe, { description: `${what} (${label})`, timeoutMs, failFastOn: [worker.guard], ...(signal ? { signal } : {}) });
  } catch (error) {
    if (!(error instanceof HarnessError)) throw error;
    Object.assign(error.evidence, { url, tally: { ...probe.seen.tally }, answers: probe.seen.answers.map((answer) => ({ ...answer })) });
    // The last answer recorded is a full-length request timeout: nothing answered since (cut-short requests are not recorded).
    if (path === worker.healthPath && probe.seen.answers.at(-1)?.status === 'timeout') error.evidence[HEALTH_UNANSWERED] = HANG_PROBE_TIMEOUT_MS;
    if (error.code === 'ENDPOINT_ERRORS' && !error.hint) throw new HarnessError(error.code, error.message, { evidence: error.evidence, cause: error, hint: readinessErrorsHint(probe.seen) });
    if (error.code !== 'WAIT_TIMEOUT' || error.hint) throw error;
    throw new HarnessError(error.code, error.message, { evidence: error.evidence, cause: error, hint: readinessTimeoutHint(probe.seen, { port: worker.port, portGiven: 'the port it is given as {port}', flag: budget ? '--ready-timeout' : '--timeout' }) });
  }
  const { response, tally, answers } = outcome.value;
  const seen = Object.entries(tally)
    .filter(([, n]) => n > 0)
    .map(([kind, n]) => `${n} ${kind}`)
    .join(', ');
  return {
    detail: `HTTP ${response.status} ${response.text.trim().slice(0, 120)} after ${formatDuration(outcome.elapsedMs)} (${outcome.attempts} probe${outcome.attempts === 1 ? '' : 's'}${seen ? `: ${seen}` : ''})`,
    evidence: { url, elapsedMs: Math.round(outcome.elapsedMs), attempts: outcome.attempts, tally, answers, seen: describeAnswers(answers) },
  };
}

/** The answer forms to check for an endpoint: JSON and/or SSE, as the endpoint allows and --stream asks. */
export function formsFor(endpoint: InferenceEndpoint, stream: WorkerTestPlan['stream']): boolean[] {
  if (endpoint.stream === 'always') return [true];
  if (endpoint.stream === 'never') return [false];
  return stream === 'both' ? [false, true] : [stream === 'sse'];
}

/** `32 tokens (server's count; 21 text events)`: where the count came from, and the events when they differ. */
export function describeTokens(result: InferenceResult): string {
  const n = `${result.tokens} token${result.tokens === 1 ? '' : 's'}`;
  if (!result.streamed) return n;
  if (result.tokenSource === 'events') return `${n} (counted from events: the stream carries no token count)`;
  return result.tokenEvents === result.tokens ? `${n} (server's count)` : `${n} (server's count; ${result.tokenEvents} text events: partial characters are sent with a later token)`;
}

async function checkInference(context: TaskContext, plan: WorkerTestPlan, worker: CheckedWorker): Promise<void> {
  let n = 0;
  for (const endpoint of plan.profile.inference) {
    for (const streamed of formsFor(endpoint, plan.stream)) {
      n += 1;
      const form = streamed ? 'SSE' : 'JSON';
      await workerCheck(context, worker, `inference ${form} POST ${endpoint.path}`, `the ${form} answer of POST ${endpoint.path}`, async (signal) => {
        const result = await runInference(worker.baseUrl, endpoint, { ...inferenceRequest(plan, worker, n), signal }, streamed).catch((error: unknown) => {
          throw withModelHint(error, plan, worker);
        });
        const timing = streamed ? `first token ${formatDuration(result.firstTokenMs)}, ${result.events} events` : 'one answer';
        const eval_ = result.serverTimings?.predictedPerSecond === undefined ? '' : `, server eval ${result.serverTimings.predictedPerSecond.toFixed(0)} tokens/s`;
        return {
          detail: `${describeTokens(result)} in ${formatDuration(result.durationMs)} (${timing}${eval_}, finish ${result.finishReason ?? 'n/a'}): ${quoteForTerminal(result.text.slice(0, 60))}`,
          evidence: { result },
        };
      });
    }
  }
}

/**
 * A 404 whose body speaks of the model: the worker serves another model (or name) than the one
 * requested. The fix follows from the command template: a missing `{model}` (it loads what its
 * command names), a missing `{modelRef}` (it names its model itself), or a --model-ref it does not serve.
 */
function withModelHint(error: unknown, plan: WorkerTestPlan, worker: CheckedWorker): unknown {
  if (!(error instanceof HarnessError) || error.code !== 'INFERENCE_INVALID' || error.hint) return error;
  const evidence = error.evidence as { status?: number; body?: string };
  if (evidence.status !== 404 || !/model/i.test(evidence.body ?? '')) return error;
  const gaps = plan.templateGaps;
  const hint = gaps?.missing.includes('model') && plan.modelPath !== undefined
    ? `the worker serves another model than --model: ${gaps.flag} has no {model}, so it loads the model its command names; write {model} (and {modelRef}) into ${gaps.flag}`
    : gaps?.missing.includes('modelRef')
      ? `requests name the model "${worker.modelName}" (--model-ref), but the worker calls its model otherwise: ${gaps.flag} has no {modelRef}; write {modelRef} into it (for llama-server: --alias {modelRef}), or pass --model-ref with the name it serves`
      : `requests name the model "${worker.modelName}" (--model-ref), which the worker does not serve: pass --model-ref with the name it serves`;
  return new HarnessError(error.code, error.message, { evidence: error.evidence, hint, cause: error });
}

/** The checks `checkWorker` means to run for one worker, in order (an interrupted run lists those that never ran). */
export function plannedChecks(plan: WorkerTestPlan, worker: CheckedWorker): string[] {
  const { profile } = plan;
  const inference = profile.inference.flatMap((endpoint) => formsFor(endpoint, plan.stream).map((streamed) => `inference ${streamed ? 'SSE' : 'JSON'} POST ${endpoint.path}`));
  return [
    'health',
    ...(profile.ready ? ['ready'] : []),
    ...(profile.heartbeats ? ['heartbeats', 'heartbeat states', 'heartbeat interval'] : []),
    ...(profile.models ? ['models'] : []),
    ...inference,
    ...(plan.bench && profile.inference.length ? ['benchmark'] : []),
  ].map((name) => `${worker.label}${name}`);
}

/**
 * The whole check sequence for one worker: health → ready → heartbeats (Ready ones follow
 * ready) → models → inference (→ bench). A worker that never gets healthy skips the rest, with
 * the reason; a worker that exits during any check ends that check at once, named, and the
 * rest are skipped.
 */
export async function checkWorker(context: TaskContext, plan: WorkerTestPlan, hive: MockHive | undefined, worker: CheckedWorker): Promise<void> {
  const { report } = context;
  const { profile } = plan;
  report.expect(plannedChecks(plan, worker));
  const healthy = await workerCheck(context, worker, 'health', `${profile.health.path} to report healthy`, (signal) =>
    awaitEndpoint(plan, worker, profile.health.path, healthClassifier(profile.health.expect), `${profile.health.path} to report healthy`, signal),
  );
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
    const budget = plan.readyTimeoutMs === undefined ? undefined : { timeoutMs: plan.readyTimeoutMs, label: `--ready-timeout ${formatDuration(plan.readyTimeoutMs)}, counted from healthy` };
    const isReady = await workerCheck(context, worker, 'ready', `${ready.path} to say ready`, (signal) => awaitEndpoint(plan, worker, ready.path, readyFlagClassifier, `${ready.path} to say ready`, signal, budget));
    if (!isReady) {
      for (const name of later.slice(1)) report.skip(`${worker.label}${name}`, worker.guard.running ? 'the worker never became ready' : 'the worker had exited');
      return;
    }
  }
  if (profile.heartbeats && hive) await heartbeatChecksFor(context, plan, hive, worker, profile.heartbeats.states);
  else if (!profile.heartbeats) report.skip(`${worker.label}heartbeats`, `the ${profile.name} profile sends no heartbeats`);
  else for (const name of ['heartbeats', 'heartbeat states', 'heartbeat interval']) report.skip(`${worker.label}${name}`, 'no hive for the worker to send heartbeats to: with --url, pass --hive-bind <address> and start the worker with the hive URL and token printed');
  if (profile.models) {
    const models = profile.models;
    await workerCheck(context, worker, 'models', `GET ${models.path}`, async (signal) => {
      const outcome = await tryHttp(`${worker.baseUrl}${models.path}`, { timeoutMs: plan.inferenceTimeoutMs, headers: worker.headers, signal });
      if (!outcome.ok) throw new HarnessError('MODELS_FAILED', `GET ${models.path}: ${outcome.failure.kind} (${outcome.failure.message})`, { evidence: { failure: outcome.failure } });
      const ids = modelIds(outcome.response);
      if (typeof ids === 'string') throw new HarnessError('MODELS_INVALID', `GET ${models.path}: ${ids}`, { evidence: { body: outcome.response.text.slice(0, 2000) } });
      if (!ids.includes(worker.modelName)) worker.modelName = ids[0] as string;
      return `${ids.length} model${ids.length === 1 ? '' : 's'}: ${ids.join(', ')}; requests will name ${worker.modelName}`;
    });
  }
  await checkInference(context, plan, worker);
  if (plan.bench) await benchmarkInference(context, plan, worker);
}
