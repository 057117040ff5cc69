import { join } from 'node:path';
import { HarnessError } from '../lib/errors/harness-error.ts';
import type { ExitInfo } from '../lib/process/process-guard.ts';
import type { TaskContext } from '../runner/task-context.ts';
import { checkWorker } from './worker-checks.ts';
import { startHive } from './worker-hive.ts';
import type { WorkerTestPlan } from './worker-test-plan.ts';
import type { WorkerProcess, WorkerUnderTest } from './worker-under-test.ts';

/**
 * The process of a worker the harness did not start (`--url`): it cannot be seen, so it never
 * "exits" to the checks; a worker that goes away shows as refused connections, which end the
 * readiness waits after --fail-after-errors.
 */
export class RemoteWorkerProcess implements WorkerProcess {
  readonly exitInfo: ExitInfo | undefined = undefined;
  readonly running = true;
  readonly settled: Promise<ExitInfo> = new Promise<ExitInfo>(() => undefined);

  constructor(readonly name: string) {}

  exitedError(waitingFor: string): HarnessError {
    return new HarnessError('REMOTE_WORKER_GONE', `${this.name} is not a process of this harness; it cannot be seen exiting while waiting for ${waitingFor}`);
  }
}

/** The checks that need to own the worker's process, and why a remote worker skips them. */
export const OWNED_PROCESS_CHECKS: ReadonlyArray<{ name: string; reason: string }> = [
  { name: 'process watch (crash, hang)', reason: 'remote worker (--url): the harness did not start it, so it cannot see it crash or hang; a worker that goes away shows as refused connections' },
  { name: 'teardown', reason: 'remote worker (--url): the harness did not start it, so it neither stops it nor looks for its processes' },
];

/**
 * worker:test against a worker it did not start: health, ready, heartbeats (only when a hive is
 * published with --hive-bind for the worker to send them to), models, inference, --bench; the
 * checks that need the process are recorded as skipped with the reason.
 */
export async function runRemote(context: TaskContext, plan: WorkerTestPlan, url: string): Promise<void> {
  const { out, report } = context;
  const workerId = plan.workerIds[0] as string;
  const needsHive = plan.profile.heartbeats !== undefined && plan.hiveBind !== undefined;
  if (needsHive) out.step('Starting mock hive');
  await using hive = needsHive ? await startHive(context, plan, join(context.runDir, 'hive-heartbeats.log')) : undefined;
  if (plan.profile.heartbeats && !hive) out.info('no --hive-bind: the worker has no hive of this run to send heartbeats to; the heartbeat checks are skipped');
  const parsed = new URL(url);
  const worker: WorkerUnderTest<RemoteWorkerProcess> = {
    guard: new RemoteWorkerProcess(`remote worker ${url}`),
    workerId,
    baseUrl: url,
    port: Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80)),
    label: '',
    modelName: plan.modelRef,
    startupDeadline: performance.now() + plan.timeoutMs,
    headers: plan.headers,
    healthPath: plan.profile.health.path,
  };
  out.step(`Checking the worker at ${url} (not started by the harness)`);
  await checkWorker(context, plan, hive, worker);
  for (const check of OWNED_PROCESS_CHECKS) report.skip(check.name, check.reason);
}
