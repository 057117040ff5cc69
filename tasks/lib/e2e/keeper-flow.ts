import { HarnessError, toHarnessError } from '../errors/harness-error.ts';
import { tryHttp } from '../http/http-client.ts';
import { processesMatching } from '../process/find-processes.ts';
import { describeExit, exitHint, type ExitInfo } from '../process/process-guard.ts';
import { onShutdown, shutdownAbortSignal } from '../process/guard-registry.ts';
import type { CheckRecorder } from '../report/run-report.ts';
import { WorkerRegistry, type WorkerRow } from '../registry/worker-registry.ts';
import { formatDuration } from '../time/format-duration.ts';
import { httpReadiness, readinessTimeoutHint } from '../wait-strategies/http-wait-strategy.ts';
import { waitFor, type ExitWatch } from '../wait-strategies/wait-for.ts';
import { healthClassifier, readyFlagClassifier } from '../worker/answer-judges.ts';
import { runInference } from '../worker/inference-styles.ts';
import { HiveClient, type HiveWorker } from './hive-client.ts';
import type { KeeperPlan } from './keeper-plan.ts';
import { PhaseRunner } from './phase-runner.ts';
import { isLocalNode, nodeHost, poolUrl } from './pool-url.ts';

export interface KeeperEnv {
  /** The run's report, or one node's view of it (several nodes). */
  report: CheckRecorder;
  /** Where the `[Phase N] ✓/✗` lines go. */
  print: (line: string) => void;
  /** The hive's process when the harness started it (--hive-cmd): its exit ends the preflight wait at once. */
  hiveProcess?: ExitWatch & { readonly logFile?: string | undefined };
  /** The worker's process when the hive runs in-process: its exit ends waits at once. */
  workerProcess?: (workerId: string) => ExitWatch | undefined;
}

export interface KeeperOutcome {
  phases: PhaseRunner;
  worker?: HiveWorker;
  row?: WorkerRow;
  connectionString?: string;
}

const GONE = new Set(['Exited', 'Stopped', 'Failed']);

/** Renames a wait failure for the phase it happened in, keeping its evidence. */
function rename(error: unknown, codes: Record<string, string>, prefix: string, hint?: string): HarnessError {
  const failure = toHarnessError(error);
  const code = codes[failure.code];
  if (!code) return failure;
  return new HarnessError(code, `${prefix}: ${failure.message}`, { evidence: failure.evidence, hint: hint ?? failure.hint, cause: failure });
}

/**
 * The keeper's side of seed 004's flow, phase by phase: 1 registry, 2 pool preflight, 3–5 spawn,
 * 6 registration, 7 ready (fail fast after N consecutive errors, keep waiting on "not ready
 * yet"), 8 inference. Any failure stops the flow; whatever happened, a spawned worker is
 * stopped through the hive and the run checks that no process of it is left.
 */
export async function runKeeperFlow(env: KeeperEnv, plan: KeeperPlan): Promise<KeeperOutcome> {
  const { report, print } = env;
  const phases = new PhaseRunner(report, print);
  const outcome: KeeperOutcome = { phases };
  const hiveUrl = plan.hiveUrl ?? poolUrl(plan.node, plan.hivePort);
  const hive = new HiveClient(hiveUrl, undefined, plan.hiveToken);
  let registry: WorkerRegistry | undefined;
  let spawned: HiveWorker | undefined;
  let unhook = (): void => undefined;
  try {
    registry = await phases.run('1', async () => {
      const opened = WorkerRegistry.open(plan.registry, plan.cwd);
      const rows = opened.list().length;
      outcome.connectionString = opened.connection.connectionString;
      return { value: opened, outcome: { detail: `${opened.connection.connectionString} (SQLite ${opened.sqliteVersion()}, ${rows} worker${rows === 1 ? '' : 's'} recorded)`, evidence: { connection: opened.connection } } };
    });

    await phases.run('2', async () => {
      const url = `${hiveUrl}/v1/health`;
      const hiveProcess = env.hiveProcess;
      const requestTimeoutMs = Math.min(2000, Math.max(100, plan.healthTimeoutMs / 4));
      const probe = httpReadiness({ url, classify: healthClassifier('status-ok'), maxConsecutiveErrors: plan.failAfterErrors, errorIntervalMs: plan.errorIntervalMs, requestTimeoutMs, ownerAlive: hiveProcess ? () => hiveProcess.exitInfo === undefined : undefined });
      try {
        const waited = await waitFor(probe, { description: `the hive at ${hiveUrl} to answer GET /v1/health`, timeoutMs: plan.healthTimeoutMs, failFastOn: hiveProcess ? [hiveProcess] : [] });
        const how = plan.reachedAs ?? (nodeHost(plan.node) === plan.node ? `node '${plan.node}' used as is` : `node '${plan.node}' → ${nodeHost(plan.node)}`);
        return { value: undefined, outcome: { detail: `GET ${url} → HTTP ${waited.value.response.status} ${waited.value.response.text.trim().slice(0, 100)} after ${formatDuration(waited.elapsedMs)} (${how})`, evidence: { url, attempts: waited.attempts } } };
      } catch (error) {
        const hint = hiveProcess ? startedHiveHint(probe.seen.tally, plan, requestTimeoutMs, hiveProcess) : plan.hiveUrl ? `start the hive at ${plan.hiveUrl} (or check --hive-url / --resolve); it must answer GET /v1/health with 200` : `start the hive on ${nodeHost(plan.node)}:${plan.hivePort} (or check --node and --hive-port); it must answer GET /v1/health with 200`;
        throw rename(error, { WAIT_TIMEOUT: 'POOL_UNHEALTHY', ENDPOINT_UNREACHABLE: 'POOL_UNREACHABLE', ENDPOINT_ERRORS: 'POOL_UNHEALTHY', PROCESS_EXITED: 'POOL_EXITED' }, `pool preflight of the hive at ${hiveUrl} failed`, hint);
      }
    });

    spawned = await phases.run('3-5', async () => {
      const worker = await hive.spawn({
        worker_id: plan.workerId, model_path: plan.modelPath, model_ref: plan.modelRef, backend: plan.backend, device: plan.device,
        ...(plan.spawnProfile ? { profile: plan.spawnProfile } : {}), ...(plan.spawnCommand ? { command: plan.spawnCommand } : {}),
      });
      return { value: worker, outcome: { detail: `hive spawned ${worker.worker_id} for ${plan.modelRef} on ${plan.backend}:${plan.device} at ${worker.url}${worker.pid ? ` (pid ${worker.pid})` : ''}, state ${worker.state}`, evidence: { worker } } };
    });
    if (spawned) outcome.worker = spawned;
    // Ctrl-C stops the worker's process, and the run ends before the teardown check: the row must still say so.
    if (spawned) unhook = onShutdown(() => recordStopOnInterrupt(env, plan, spawned as HiveWorker, registry));

    const row = await phases.run('6', async () => {
      const worker = spawned as HiveWorker;
      let state = worker.state;
      let waited = '';
      if (plan.profile.heartbeats) {
        const watch = env.workerProcess?.(worker.worker_id);
        const registered = await waitFor<HiveWorker>(
          async ({ signal }) => {
            const seen = await hive.worker(worker.worker_id, signal);
            if (!seen) return { ready: false, observed: 'the hive does not list the worker' };
            if (GONE.has(seen.state)) {
              throw new HarnessError('WORKER_EXITED', `worker ${worker.worker_id} ${seen.exit ? `exited (code ${seen.exit.code}${seen.exit.signal ? `, ${seen.exit.signal}` : ''})` : `is ${seen.state}`} before it registered with the hive`, { evidence: { worker: seen }, hint: 'the hive saw it go before its first heartbeat: its log below says why it exited' });
            }
            if (seen.state === 'Starting' || seen.state === 'Spawning') return { ready: false, observed: `state ${seen.state}, no heartbeat yet` };
            return { ready: true, value: seen };
          },
          { description: 'its first heartbeat (registration with the hive)', timeoutMs: plan.registerTimeoutMs, failFastOn: watch ? [watch] : [] },
        ).catch((error: unknown) => {
          if (toHarnessError(error).code === 'PROCESS_EXITED') throw workerExited(error, worker.worker_id, 'it registered with the hive (first heartbeat)');
          throw rename(error, { WAIT_TIMEOUT: 'WORKER_NOT_REGISTERED' }, `worker ${worker.worker_id} did not register`, `no heartbeat reached the hive within --register-timeout ${formatDuration(plan.registerTimeoutMs)}: its log below shows whether it started and where it sends heartbeats; raise --register-timeout if it is only slow to start`);
        });
        state = registered.value.state;
        waited = ` after ${formatDuration(registered.elapsedMs)}`;
      }
      const written = (registry as WorkerRegistry).upsert({ workerId: worker.worker_id, url: worker.url, model: plan.modelRef, backend: plan.backend, device: plan.device, state, node: plan.node });
      const read = (registry as WorkerRegistry).get(worker.worker_id);
      if (!read || read.url !== worker.url || read.model !== plan.modelRef || read.backend !== plan.backend || read.state !== state) {
        throw new HarnessError('REGISTRY_WRITE_LOST', `the registry row of ${worker.worker_id} does not read back as written`, { evidence: { written, read } });
      }
      return { value: read, outcome: { detail: `registered${waited}; registry row: url ${read.url}, model ${read.model}, backend ${read.backend}:${read.device}, state ${read.state}`, evidence: { row: read } } };
    });
    if (row) outcome.row = row;

    await phases.run('7', async () => {
      const worker = spawned as HiveWorker;
      const watch = env.workerProcess?.(worker.worker_id);
      const route = plan.profile.ready?.path ?? plan.profile.health.path;
      const classify = plan.profile.ready ? readyFlagClassifier : healthClassifier(plan.profile.health.expect);
      const probe = httpReadiness({ url: `${worker.url}${route}`, classify, maxConsecutiveErrors: plan.failAfterErrors, errorIntervalMs: plan.errorIntervalMs });
      try {
        const waited = await waitFor(probe, { description: `${worker.url}${route} to say ready`, timeoutMs: plan.readyTimeoutMs, failFastOn: watch ? [watch] : [] });
        (registry as WorkerRegistry).setState(worker.worker_id, 'Ready');
        const tally = Object.entries(waited.value.tally).filter(([, n]) => n > 0).map(([kind, n]) => `${n} ${kind}`).join(', ');
        return { value: undefined, outcome: { detail: `GET ${route} → HTTP ${waited.value.response.status} ${waited.value.response.text.trim().slice(0, 80)} after ${formatDuration(waited.elapsedMs)} (${waited.attempts} probe${waited.attempts === 1 ? '' : 's'}${tally ? `: ${tally}` : ''})`, evidence: { tally: waited.value.tally } } };
      } catch (error) {
        const code = toHarnessError(error).code;
        if (code === 'PROCESS_EXITED') throw workerExited(error, worker.worker_id, 'it became ready');
        const port = Number(new URL(worker.url).port);
        const hint =
          code === 'ENDPOINT_UNREACHABLE' ? `nothing answers at ${worker.url}: check that the worker listens on the port the hive gave it, and its log below`
          : code === 'WAIT_TIMEOUT' ? readinessTimeoutHint(probe.seen, { port, portGiven: 'the port the hive gave it', flag: '--ready-timeout' })
          : undefined;
        throw rename(error, { ENDPOINT_UNREACHABLE: 'WORKER_UNREACHABLE', ENDPOINT_ERRORS: 'WORKER_HTTP_ERRORS', WAIT_TIMEOUT: 'WORKER_NOT_READY' }, `worker ${worker.worker_id} never became ready`, hint);
      }
    });

    await phases.run('8', async () => {
      const worker = spawned as HiveWorker;
      const endpoint = plan.profile.inference[0];
      if (!endpoint) throw new HarnessError('NO_INFERENCE_ROUTE', `profile ${plan.profile.name} declares no inference route`, { kind: 'usage' });
      const result = await runInference(worker.url, endpoint, { prompt: plan.prompt, maxTokens: plan.maxTokens, temperature: plan.temperature, jobId: `${worker.worker_id}-job-001`, model: plan.modelRef, timeoutMs: plan.inferenceTimeoutMs }, endpoint.stream === 'always');
      if (result.tokens < 1) throw new HarnessError('INFERENCE_NO_TOKENS', `POST ${endpoint.path} returned no tokens`, { evidence: { result } });
      return { value: result, outcome: { detail: `POST ${endpoint.path} "${plan.prompt}" (max ${plan.maxTokens} tokens, temperature ${plan.temperature}) → ${result.tokens} tokens in ${formatDuration(result.durationMs)}`, evidence: { result } } };
    });
  } finally {
    phases.skipRest('the flow stopped');
    if (spawned) await teardown(report, hive, plan, spawned, registry);
    // Interrupted: the shutdown hook (after the processes are stopped) records the stop and closes the registry.
    if (!shutdownAbortSignal().aborted) {
      unhook();
      registry?.close();
    }
  }
  return outcome;
}

/**
 * A worker process that exited during a wait, named once (by its worker id, not its guard's name),
 * with the fix its log's last line points at.
 */
function workerExited(error: unknown, workerId: string, before: string): HarnessError {
  const failure = toHarnessError(error);
  const evidence = failure.evidence as { exit?: ExitInfo; waitedMs?: number; logTail?: string[] };
  const exit = evidence.exit ? describeExit(evidence.exit) : 'exited';
  const hint = exitHint(evidence.logTail ?? []);
  return new HarnessError('WORKER_EXITED', `worker ${workerId} ${exit} before ${before}${evidence.waitedMs === undefined ? '' : ` (after ${formatDuration(evidence.waitedMs)})`}`, { evidence: failure.evidence, hint, cause: failure });
}

/** The fix for a hive the harness started itself (--hive-cmd) that did not pass the preflight: what its answers showed. */
function startedHiveHint(tally: Record<'refused' | 'not-ready' | 'http-error' | 'timeout', number>, plan: KeeperPlan, requestTimeoutMs: number, hive: NonNullable<KeeperEnv['hiveProcess']>): string {
  const log = hive.logFile ? `its log: ${hive.logFile}` : 'its log below';
  if (hive.exitInfo !== undefined) return `the hive the harness started (--hive-cmd) exited before it answered GET /v1/health; see ${log}`;
  const answered = tally['not-ready'] + tally['http-error'];
  if (tally.timeout > 0 && answered === 0) {
    return `the hive the harness started (--hive-cmd) accepts connections on port ${plan.hivePort} but never answered GET /v1/health within the ${formatDuration(plan.healthTimeoutMs)} budget (each request timed out after ${formatDuration(requestTimeoutMs)}): is it blocked, or not serving that route? See ${log}`;
  }
  if (tally.refused > 0 && answered === 0 && tally.timeout === 0) {
    return `the hive the harness started (--hive-cmd) never listened on port ${plan.hivePort}: check that its command takes the port as {port}; see ${log}`;
  }
  return `the hive the harness started (--hive-cmd) answered GET /v1/health, but never as healthy (HTTP 200) within the ${formatDuration(plan.healthTimeoutMs)} budget; see ${log}`;
}

/**
 * On Ctrl-C (after the harness stopped its processes): the worker's row is set `Stopped`, as the
 * teardown of a failed run does, once its process is seen gone; otherwise it is left as it was.
 */
function recordStopOnInterrupt(env: KeeperEnv, plan: KeeperPlan, worker: HiveWorker, registry: WorkerRegistry | undefined): void {
  if (!registry?.isOpen) return;
  const watch = env.workerProcess?.(worker.worker_id);
  const gone = watch ? watch.exitInfo !== undefined : onThisMachine(plan) && processesMatching(worker.worker_id).length === 0;
  if (gone) registry.setState(worker.worker_id, 'Stopped');
  registry.close();
}

/** True when the hive (and so its workers) runs on this machine: a local node name, or a hive reached on a loopback address. */
function onThisMachine(plan: KeeperPlan): boolean {
  if (isLocalNode(plan.node)) return true;
  if (!plan.hiveUrl) return false;
  const host = new URL(plan.hiveUrl).hostname;
  return host === 'localhost' || host === '[::1]' || /^127\./.test(host);
}

/** Stops the worker through the hive and proves that nothing of it is left (seed 004: no cleanup after a failed run). */
async function teardown(report: CheckRecorder, hive: HiveClient, plan: KeeperPlan, worker: HiveWorker, registry: WorkerRegistry | undefined): Promise<void> {
  await report.check('teardown: no worker left', async () => {
    let how: string;
    try {
      const stopped = await hive.stop(worker.worker_id);
      how = `hive stopped ${worker.worker_id} (${stopped.stop?.signal === 'none' ? 'it had already exited' : (stopped.stop?.signal ?? stopped.state)})`;
      registry?.setState(worker.worker_id, stopped.state);
    } catch (error) {
      how = `the hive could not stop it (${toHarnessError(error).message})`;
    }
    const answer = await tryHttp(`${worker.url}${plan.profile.health.path}`, { timeoutMs: 1000 });
    if (answer.ok) throw new HarnessError('WORKER_LEFT_RUNNING', `${how}, but ${worker.url} still answers (HTTP ${answer.response.status})`, { evidence: { worker } });
    const left = onThisMachine(plan) ? processesMatching(worker.worker_id) : [];
    if (left.length) throw new HarnessError('WORKER_LEFT_RUNNING', `${how}, but ${left.length} process(es) of it still run: ${left.map((p) => p.pid).join(', ')}`, { evidence: { processes: left } });
    return { detail: `${how}; ${worker.url} refuses connections${onThisMachine(plan) ? `, no process with ${worker.worker_id} in its command line` : ''}` };
  });
}
