import { join } from 'node:path';
import getPort from 'get-port';
import { MockHive } from '../../mock-hive/mock-hive-server.ts';
import { addGate, emptyEvidence, outcomeOf, type CanaryEvidence } from '../lib/canary/canary-evidence.ts';
import { sampleInterleaved } from '../lib/canary/interleave.ts';
import { ROLES, type ProbeOutcome, type Role } from '../lib/canary/probe-outcome.ts';
import { parseFlags } from '../lib/cli/flag-spec.ts';
import { usageError } from '../lib/errors/harness-error.ts';
import type { ModelFileInfo } from '../lib/model/model-file.ts';
import type { MetricInput } from '../lib/canary/judge/judge-types.ts';
import { Reporter } from '../lib/output/reporter.ts';
import { shutdownAbortSignal } from '../lib/process/guard-registry.ts';
import type { StopReport } from '../lib/process/process-guard.ts';
import { RunReport } from '../lib/report/run-report.ts';
import { healthClassifier } from '../lib/worker/answer-judges.ts';
import { runInference } from '../lib/worker/inference-styles.ts';
import { TaskContext } from '../runner/task-context.ts';
import { inferenceRequest } from '../worker-test/inference-request.ts';
import { checkModel } from '../worker-test/preflight.ts';
import { awaitEndpoint, checkWorker } from '../worker-test/worker-checks.ts';
import { workerArgv } from '../worker-test/worker-launch.ts';
import { WORKER_TEST_FLAGS } from '../worker-test/worker-test-flags.ts';
import { planWorkerTest, type WorkerTestPlan } from '../worker-test/worker-test-plan.ts';
import type { WorkerUnderTest } from '../worker-test/worker-under-test.ts';
import type { CanaryPlan } from './canary-plan.ts';

/** Extra time per token the built-in canary gets with `--canary-fault slow-tokens`. */
export const SLOW_TOKEN_MS = 10;
/**
 * The built-in pair's heartbeats: twice a second, each interval allowed ± 250 ms. A single
 * heartbeat delayed by a busy machine (the 250 ms ± 150 ms used before failed a canary on one
 * 442 ms interval) is the jitter metric's business, not a gate's; a wrong interval (2×) or no
 * heartbeats still fail the gate.
 */
const BUILT_IN_HEARTBEAT_S = 0.5;
const BUILT_IN_INTERVAL_TOLERANCE = 0.5;
/** Heartbeat jitter: a shift of the median or tail by less than this share of the interval is noise. */
export const JITTER_MIN_EFFECT = 0.1;
/** Start-time metrics need this many starts per side to say anything. */
export const MIN_STARTS_FOR_METRIC = 5;

interface Side {
  role: Role;
  plan: WorkerTestPlan;
  hive: MockHive;
  worker?: WorkerUnderTest;
  checks: RunReport;
  healthyMs: number[];
  /** The current round's worker reported healthy (round 1: the worker:test health check passed). */
  healthy: boolean;
  /** Every round's worker stop, for the teardown gate. */
  stops: StopReport[];
}

/** worker:test's plan for one side: the same flags worker:test takes, so every default and check is shared. */
function sidePlan(plan: CanaryPlan, role: Role): WorkerTestPlan {
  const args = plan.builtIn
    ? ['--heartbeat-interval', String(BUILT_IN_HEARTBEAT_S), '--interval-tolerance', String(BUILT_IN_INTERVAL_TOLERANCE), '--heartbeats', '4', ...(role === 'canary' && plan.canaryFault === 'slow-tokens' ? [`--worker-arg=--token-delay-ms=${SLOW_TOKEN_MS}`] : [])]
    : ['--worker-cmd', plan.raw[role] as string];
  return planWorkerTest(parseFlags([...args, ...plan.workerArgs, '--timeout', String(plan.connectTimeoutMs / 1000), '--stream', 'both'], WORKER_TEST_FLAGS));
}

async function startWorker(context: TaskContext, side: Side, model: ModelFileInfo, label: string): Promise<WorkerUnderTest> {
  const { plan } = side;
  const port = await getPort({ host: '127.0.0.1' });
  const workerId = `${plan.workerIds[0]}-${label}`;
  const argv = workerArgv(plan, {
    workerId, model: model.path, modelRef: plan.modelRef, backend: 'cpu', device: plan.device, port,
    hivePort: side.hive.port, hiveUrl: side.hive.url, heartbeatInterval: plan.heartbeatIntervalMs / 1000, threads: plan.threads, contextSize: plan.contextSize,
  });
  const guard = await context.start({ name: `${side.role}-worker`, command: argv[0] as string, args: argv.slice(1), graceMs: plan.graceMs, ...(plan.launch.kind === 'reference' ? {} : { cwd: process.env.INIT_CWD ?? process.cwd() }) });
  return { guard, workerId, port, baseUrl: `http://127.0.0.1:${port}`, label: '', modelName: plan.modelRef, startupDeadline: performance.now() + plan.timeoutMs, headers: plan.headers };
}

/** Every worker:test check of one side, into its own report (the gates), timing the start to healthy. */
async function checkSide(context: TaskContext, side: Side): Promise<void> {
  const worker = side.worker as WorkerUnderTest;
  side.checks.onCheck((event) => {
    if (event.phase === 'end' && event.result.name === 'health' && event.result.verdict === 'pass') side.healthyMs.push(worker.guard.uptimeMs);
  });
  const quiet = new Reporter({ mode: 'plain', quiet: true, write: () => undefined });
  await checkWorker(new TaskContext(side.checks, quiet, context.runDir, context.flags, context.tailLines), side.plan, side.hive, worker);
}

/** Starts a side's worker and waits until it reports healthy; the worker comes back either way (the caller stops it). */
async function startHealthy(context: TaskContext, side: Side, model: ModelFileInfo, label: string): Promise<{ worker: WorkerUnderTest; healthyMs: number | undefined }> {
  const worker = await startWorker(context, side, model, label);
  try {
    const health = side.plan.profile.health;
    await awaitEndpoint(side.plan, worker, health.path, healthClassifier(health.expect), `${health.path} to report healthy`);
    return { worker, healthyMs: worker.guard.uptimeMs };
  } catch {
    return { worker, healthyMs: undefined };
  }
}

/** One more start of a side's worker, only to time it to healthy; stopped at once. */
async function timeAStart(context: TaskContext, side: Side, model: ModelFileInfo, n: number): Promise<number | undefined> {
  const { worker, healthyMs } = await startHealthy(context, side, model, `start${n}`);
  await worker.guard.stop();
  return healthyMs;
}

/** Stops a side's current worker (the round's), keeping the stop for the teardown gate. */
async function stopCurrent(side: Side): Promise<void> {
  const worker = side.worker;
  side.worker = undefined;
  if (worker) side.stops.push(await worker.guard.stop());
}

/** The teardown gate of one side over every round's worker. */
function teardownOutcome(stops: readonly StopReport[]): ProbeOutcome {
  if (stops.length === 0) return { state: 'no-data', detail: 'never started' };
  const survivors = stops.flatMap((stop) => stop.survivors);
  if (survivors.length) return { state: 'fail', detail: `processes ${survivors.join(', ')} survived` };
  const each = stops.map((stop) => (stop.signal === 'none' ? 'had already exited' : `${stop.signal} → gone in ${Math.round(stop.durationMs)} ms`));
  return { state: 'pass', detail: stops.length === 1 ? `${each[0]}; no process of its group left` : `${stops.length} workers (one per round): ${each.join(', ')}; no process of their groups left` };
}

/**
 * Which side's worker is started first, drawn anew each round: a process started second may land
 * elsewhere (a busier core) more often than one started first, and a fixed order would make that a
 * difference between versions instead of between processes.
 */
function startOrder(random: () => number = Math.random): Role[] {
  return random() < 0.5 ? [...ROLES] : [...ROLES].reverse();
}

/** `samples` split into `rounds` near-equal parts (the first rounds take the remainder). */
export function samplesPerRound(samples: number, rounds: number): number[] {
  return Array.from({ length: rounds }, (_, round) => Math.floor(samples / rounds) + (round < samples % rounds ? 1 : 0));
}

interface InferenceSample {
  round: number;
  ttft: number;
  latency: number;
  rate: number;
}

/** A metric from per-round samples; tagged with the round (the process) when there is more than one. */
function roundMetric(plan: CanaryPlan, metric: Omit<MetricInput, 'baseline' | 'canary' | 'replicates'>, samples: Record<Role, Array<{ round: number; value: number }>>): MetricInput {
  return {
    ...metric,
    baseline: samples.baseline.map((sample) => sample.value),
    canary: samples.canary.map((sample) => sample.value),
    ...(plan.replicas > 1 ? { replicates: { baseline: samples.baseline.map((sample) => sample.round), canary: samples.canary.map((sample) => sample.round) } } : {}),
  };
}

/**
 * `--kind worker`: a baseline and a canary LLM worker, each beside its own mock hive. Every
 * worker:test check is a hard gate (on round 1's pair). TTFT, inference latency, tokens/s and
 * heartbeat interval jitter are sampled in `--replicas` rounds: each round a fresh baseline and
 * canary worker, streamed requests alternating between them in random order, then both stopped;
 * the samples carry their round, so the judge can tell a difference between processes from one
 * between versions. Time to healthy: every start (one per round, plus more up to `--starts`).
 */
export async function runWorkerCanary(context: TaskContext, plan: CanaryPlan): Promise<CanaryEvidence> {
  const evidence = emptyEvidence();
  const { out } = context;
  out.step('Preflight');
  const plans = { baseline: sidePlan(plan, 'baseline'), canary: sidePlan(plan, 'canary') };
  const model = await checkModel(context, plans.baseline);
  if (!model) return evidence;
  const sides = {} as Record<Role, Side>;
  const rounds = samplesPerRound(plan.samples, plan.replicas);
  try {
    for (const role of ROLES) {
      const hive = await MockHive.start({ logFile: join(context.runDir, `hive-heartbeats-${role}.log`) });
      context.attachLog(`mock-hive heartbeats (${role})`, { path: join(context.runDir, `hive-heartbeats-${role}.log`), lines: () => hive.log.lines() });
      sides[role] = { role, plan: plans[role], hive, checks: new RunReport(`worker:test (${role})`), healthyMs: [], healthy: false, stops: [] };
    }
    out.step(`Round 1/${rounds.length}: starting both workers, then the worker:test checks on each`);
    for (const role of startOrder()) sides[role].worker = await startWorker(context, sides[role], model, 'main');
    await Promise.all(ROLES.map((role) => checkSide(context, sides[role])));
    const names = [...new Set(ROLES.flatMap((role) => sides[role].checks.checks.map((check) => check.name)))];
    for (const name of names) {
      const skippedOn = ROLES.map((role) => sides[role].checks.checks.find((check) => check.name === name)).filter((check) => check?.verdict === 'skip');
      // A check the profile has no such thing for (heartbeats of a llama-server) is skipped on both sides: said, not judged.
      if (skippedOn.length === ROLES.length) evidence.skipped.push({ name: `worker:test ${name}`, why: skippedOn[0]?.detail ?? 'skipped by worker:test on both sides' });
      else addGate(evidence, `worker:test ${name}`, { baseline: outcomeOf(sides.baseline.checks, name), canary: outcomeOf(sides.canary.checks, name) });
    }
    for (const { name, why } of evidence.skipped) out.info(`${name}: skipped (${why})`);
    for (const role of ROLES) sides[role].healthy = outcomeOf(sides[role].checks, 'health').state === 'pass';
    const health = { baseline: outcomeOf(sides.baseline.checks, 'health'), canary: outcomeOf(sides.canary.checks, 'health') };
    if (health.baseline.state === 'fail' && health.canary.state === 'fail') {
      // Both fail the first check: the harness speaks another protocol than the workers, not a regression.
      const profile = plans.baseline.profile.name;
      throw usageError(
        `both workers fail worker:test's health check under --profile ${profile} (baseline: ${health.baseline.detail} | canary: ${health.canary.detail}): the profile does not match what they speak, so nothing can be compared`,
        `pass the profile they speak (--profile llama-server, openai, v1, seed, or your own with --profiles), and --api-key / --header if they need them; worker:test --profile <p> --worker-cmd "<baseline>" shows which fits`,
        'CANARY_PROFILE_MISMATCH',
      );
    }

    const endpoint = plans.baseline.profile.inference[0];
    const usable = (role: Role): boolean => sides[role].healthy && sides[role].worker?.guard.running === true;
    const inference = { baseline: [] as InferenceSample[], canary: [] as InferenceSample[] };
    const jitter = { baseline: [] as Array<{ round: number; value: number }>, canary: [] as Array<{ round: number; value: number }> };
    let sampled = 0;
    for (const [index, count] of rounds.entries()) {
      const round = index + 1;
      if (shutdownAbortSignal().aborted) break;
      if (round > 1) {
        if (!ROLES.some((role) => sides[role].healthy)) {
          out.info(`rounds ${round}–${rounds.length} not run: neither worker was healthy`);
          break;
        }
        out.step(`Round ${round}/${rounds.length}: a fresh baseline and canary worker`);
        await Promise.all(
          startOrder().filter((role) => sides[role].healthy).map(async (role) => {
            const { worker, healthyMs } = await startHealthy(context, sides[role], model, `r${round}`);
            sides[role].worker = worker;
            sides[role].healthy = healthyMs !== undefined;
            if (healthyMs !== undefined) sides[role].healthyMs.push(healthyMs);
          }),
        );
      }
      if (endpoint) {
        out.step(`Inference: ${count} streamed requests per side, interleaved${rounds.length > 1 ? ` (round ${round}/${rounds.length})` : ''}`);
        const offset = sampled;
        await sampleInterleaved(count, async (role, i) => {
          const side = sides[role];
          if (!usable(role)) return undefined;
          const sideEndpoint = side.plan.profile.inference[0] ?? endpoint;
          try {
            const result = await runInference((side.worker as WorkerUnderTest).baseUrl, sideEndpoint, inferenceRequest(side.plan, side.worker as WorkerUnderTest, 500 + offset + i), sideEndpoint.stream !== 'never');
            if (result.tokens === 0) return undefined;
            inference[role].push({ round, ttft: result.firstTokenMs, latency: result.durationMs, rate: (result.tokens / result.durationMs) * 1000 });
            return result.durationMs;
          } catch {
            return undefined;
          }
        });
        sampled += count;
      }
      for (const role of ROLES) {
        const worker = sides[role].worker;
        if (worker) jitter[role].push(...sides[role].hive.log.intervalsMs(worker.workerId).slice(1).map((interval) => ({ round, value: Math.abs(interval - sides[role].plan.heartbeatIntervalMs) })));
      }
      if (round < rounds.length) await Promise.all(ROLES.map((role) => stopCurrent(sides[role])));
    }
    if (endpoint) {
      const pick = (key: 'ttft' | 'latency' | 'rate'): Record<Role, Array<{ round: number; value: number }>> => ({ baseline: inference.baseline.map((r) => ({ round: r.round, value: r[key] })), canary: inference.canary.map((r) => ({ round: r.round, value: r[key] })) });
      evidence.metrics.push(
        roundMetric(plan, { name: 'TTFT', unit: 'ms', better: 'lower' }, pick('ttft')),
        roundMetric(plan, { name: 'inference latency', unit: 'ms', better: 'lower' }, pick('latency')),
        roundMetric(plan, { name: 'tokens/s', unit: 'tokens/s', better: 'higher' }, pick('rate')),
      );
    }
    // Jitter of a few ms differs by 2–4× between two identical workers on a busy machine; a change
    // matters only when it moves by a tenth of the interval (the gate allows a quarter by default).
    if (plans.baseline.profile.heartbeats) evidence.metrics.push(roundMetric(plan, { name: 'heartbeat interval jitter', unit: 'ms', better: 'lower', minEffect: plans.baseline.heartbeatIntervalMs * JITTER_MIN_EFFECT }, jitter));
    const starts = Math.max(plan.starts, rounds.length);
    if (starts >= MIN_STARTS_FOR_METRIC) {
      const extra = starts - rounds.length;
      if (extra > 0) {
        out.step(`Time to healthy: ${extra} more start${extra === 1 ? '' : 's'} per side, interleaved (${starts} in all with the ${rounds.length} round start${rounds.length === 1 ? '' : 's'})`);
        await sampleInterleaved(extra, async (role, i) => {
          const ms = await timeAStart(context, sides[role], model, rounds.length + i + 1);
          if (ms !== undefined) sides[role].healthyMs.push(ms);
          return ms;
        });
      }
      evidence.metrics.push({ name: 'time to healthy', unit: 'ms', better: 'lower', baseline: sides.baseline.healthyMs, canary: sides.canary.healthyMs });
    } else {
      out.info(`time to healthy: baseline ${sides.baseline.healthyMs.map(Math.round).join(', ') || '—'} ms, canary ${sides.canary.healthyMs.map(Math.round).join(', ') || '—'} ms (${starts} start${starts === 1 ? '' : 's'} each: shown, not judged; --starts ${MIN_STARTS_FOR_METRIC} or more judges it)`);
    }
  } finally {
    out.step('Tearing down');
    await Promise.all(ROLES.map(async (role) => (sides[role] ? await stopCurrent(sides[role]) : undefined)));
    if (sides.baseline && sides.canary) addGate(evidence, 'worker:test teardown', { baseline: teardownOutcome(sides.baseline.stops), canary: teardownOutcome(sides.canary.stops) });
    await Promise.all(ROLES.map((role) => sides[role]?.hive.close()));
  }
  return evidence;
}
