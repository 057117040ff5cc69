import { join } from 'node:path';
import getPort from 'get-port';
import { MockHive } from '../../mock-hive/mock-hive-server.ts';
import { addGate, emptyEvidence, outcomeOf, type CanaryEvidence } from '../lib/canary/canary-evidence.ts';
import { sampleInterleaved } from '../lib/canary/interleave.ts';
import { ROLES, type ProbeOutcome, type Role } from '../lib/canary/probe-outcome.ts';
import { parseFlags } from '../lib/cli/flag-spec.ts';
import type { ModelFileInfo } from '../lib/model/model-file.ts';
import { Reporter } from '../lib/output/reporter.ts';
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
const BUILT_IN_HEARTBEAT_S = 0.25;
/** Start-time metrics need this many starts per side to say anything. */
export const MIN_STARTS_FOR_METRIC = 5;

interface Side {
  role: Role;
  plan: WorkerTestPlan;
  hive: MockHive;
  worker?: WorkerUnderTest;
  checks: RunReport;
  healthyMs: number[];
}

/** worker:test's plan for one side: the same flags worker:test takes, so every default and check is shared. */
function sidePlan(plan: CanaryPlan, role: Role): WorkerTestPlan {
  const args = plan.builtIn
    ? ['--heartbeat-interval', String(BUILT_IN_HEARTBEAT_S), '--heartbeats', '4', ...(role === 'canary' && plan.canaryFault === 'slow-tokens' ? [`--worker-arg=--token-delay-ms=${SLOW_TOKEN_MS}`] : [])]
    : ['--worker-cmd', plan.raw[role] as string];
  return planWorkerTest(parseFlags([...args, '--timeout', String(plan.connectTimeoutMs / 1000), '--stream', 'both'], WORKER_TEST_FLAGS));
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

/** One more start of a side's worker, only to time it to healthy; stopped at once. */
async function timeAStart(context: TaskContext, side: Side, model: ModelFileInfo, n: number): Promise<number | undefined> {
  const worker = await startWorker(context, side, model, `start${n}`);
  try {
    const health = side.plan.profile.health;
    await awaitEndpoint(side.plan, worker, health.path, healthClassifier(health.expect), `${health.path} to report healthy`);
    return worker.guard.uptimeMs;
  } catch {
    return undefined;
  } finally {
    await worker.guard.stop();
  }
}

/**
 * `--kind worker`: a baseline and a canary LLM worker, each beside its own mock hive. Every
 * worker:test check is a hard gate; TTFT, inference latency and tokens/s are sampled by
 * streamed requests alternating between the two in random order; heartbeat interval jitter
 * comes from each hive's log; time to healthy from `--starts` starts per side.
 */
export async function runWorkerCanary(context: TaskContext, plan: CanaryPlan): Promise<CanaryEvidence> {
  const evidence = emptyEvidence();
  const { out } = context;
  out.step('Preflight');
  const plans = { baseline: sidePlan(plan, 'baseline'), canary: sidePlan(plan, 'canary') };
  const model = await checkModel(context, plans.baseline);
  if (!model) return evidence;
  const sides = {} as Record<Role, Side>;
  try {
    for (const role of ROLES) {
      const hive = await MockHive.start({ logFile: join(context.runDir, `hive-heartbeats-${role}.log`) });
      context.attachLog(`mock-hive heartbeats (${role})`, { path: join(context.runDir, `hive-heartbeats-${role}.log`), lines: () => hive.log.lines() });
      sides[role] = { role, plan: plans[role], hive, checks: new RunReport(`worker:test (${role})`), healthyMs: [] };
    }
    out.step('Starting both workers, then the worker:test checks on each');
    for (const role of ROLES) sides[role].worker = await startWorker(context, sides[role], model, 'main');
    await Promise.all(ROLES.map((role) => checkSide(context, sides[role])));
    const names = [...new Set(ROLES.flatMap((role) => sides[role].checks.checks.map((check) => check.name)))];
    for (const name of names) addGate(evidence, `worker:test ${name}`, { baseline: outcomeOf(sides.baseline.checks, name), canary: outcomeOf(sides.canary.checks, name) });

    const endpoint = plans.baseline.profile.inference[0];
    const usable = (role: Role): boolean => outcomeOf(sides[role].checks, 'health').state === 'pass' && sides[role].worker?.guard.running === true;
    if (endpoint) {
      out.step(`Inference: ${plan.samples} streamed requests per side, interleaved`);
      const results = { baseline: [] as Array<{ ttft: number; latency: number; rate: number }>, canary: [] as Array<{ ttft: number; latency: number; rate: number }> };
      await sampleInterleaved(plan.samples, async (role, i) => {
        const side = sides[role];
        if (!usable(role)) return undefined;
        const sideEndpoint = side.plan.profile.inference[0] ?? endpoint;
        try {
          const result = await runInference((side.worker as WorkerUnderTest).baseUrl, sideEndpoint, inferenceRequest(side.plan, side.worker as WorkerUnderTest, 500 + i), sideEndpoint.stream !== 'never');
          if (result.tokens === 0) return undefined;
          results[role].push({ ttft: result.firstTokenMs, latency: result.durationMs, rate: (result.tokens / result.durationMs) * 1000 });
          return result.durationMs;
        } catch {
          return undefined;
        }
      });
      evidence.metrics.push(
        { name: 'TTFT', unit: 'ms', better: 'lower', baseline: results.baseline.map((r) => r.ttft), canary: results.canary.map((r) => r.ttft) },
        { name: 'inference latency', unit: 'ms', better: 'lower', baseline: results.baseline.map((r) => r.latency), canary: results.canary.map((r) => r.latency) },
        { name: 'tokens/s', unit: 'tokens/s', better: 'higher', baseline: results.baseline.map((r) => r.rate), canary: results.canary.map((r) => r.rate) },
      );
    }
    if (plans.baseline.profile.heartbeats) {
      const jitter = (role: Role): number[] => {
        const worker = sides[role].worker;
        return worker ? sides[role].hive.log.intervalsMs(worker.workerId).slice(1).map((interval) => Math.abs(interval - sides[role].plan.heartbeatIntervalMs)) : [];
      };
      evidence.metrics.push({ name: 'heartbeat interval jitter', unit: 'ms', better: 'lower', baseline: jitter('baseline'), canary: jitter('canary') });
    }
    if (plan.starts >= MIN_STARTS_FOR_METRIC) {
      out.step(`Time to healthy: ${plan.starts} starts per side, interleaved`);
      await sampleInterleaved(plan.starts - 1, async (role, i) => {
        const ms = await timeAStart(context, sides[role], model, i + 2);
        if (ms !== undefined) sides[role].healthyMs.push(ms);
        return ms;
      });
      evidence.metrics.push({ name: 'time to healthy', unit: 'ms', better: 'lower', baseline: sides.baseline.healthyMs, canary: sides.canary.healthyMs });
    } else {
      out.info(`time to healthy: baseline ${sides.baseline.healthyMs.map(Math.round).join(', ') || '—'} ms, canary ${sides.canary.healthyMs.map(Math.round).join(', ') || '—'} ms (one start each: shown, not judged; --starts ${MIN_STARTS_FOR_METRIC} or more judges it)`);
    }
  } finally {
    out.step('Tearing down');
    const stops = await Promise.all(ROLES.map(async (role) => ({ role, stop: await sides[role]?.worker?.guard.stop() })));
    const teardown = Object.fromEntries(stops.map(({ role, stop }) => [role, stop === undefined ? { state: 'no-data', detail: 'never started' } : stop.survivors.length ? { state: 'fail', detail: `processes ${stop.survivors.join(', ')} survived` } : { state: 'pass', detail: `${stop.signal === 'none' ? 'had already exited' : `${stop.signal} → gone in ${Math.round(stop.durationMs)} ms`}; no process of its group left` }])) as Record<Role, ProbeOutcome>;
    if (sides.baseline && sides.canary) addGate(evidence, 'worker:test teardown', teardown);
    await Promise.all(ROLES.map((role) => sides[role]?.hive.close()));
  }
  return evidence;
}
