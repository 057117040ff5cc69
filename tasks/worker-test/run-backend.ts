import { join } from 'node:path';
import getPort from 'get-port';
import { startHive } from './worker-hive.ts';
import { HarnessError } from '../lib/errors/harness-error.ts';
import type { ModelFileInfo } from '../lib/model/model-file.ts';
import { describeStop } from '../lib/process/describe-stop.ts';
import { formatDuration } from '../lib/time/format-duration.ts';
import type { TaskContext } from '../runner/task-context.ts';
import { checkWorkerCommand } from './preflight.ts';
import { checkWorker } from './worker-checks.ts';
import { commandUsesHive, NO_HIVE, referenceFault, workerArgv } from './worker-launch.ts';
import { currentTimeline } from '../lib/report/timeline.ts';
import { Redactor } from '../lib/process/redact.ts';
import type { WorkerTestPlan } from './worker-test-plan.ts';
import type { WorkerUnderTest } from './worker-under-test.ts';

async function workerPorts(plan: WorkerTestPlan): Promise<number[]> {
  if (plan.port !== undefined) return plan.workerIds.map((_, i) => (plan.port as number) + i);
  const ports: number[] = [];
  for (const _ of plan.workerIds) ports.push(await getPort({ host: '127.0.0.1', exclude: ports }));
  return ports;
}

export { describeStop } from '../lib/process/describe-stop.ts';

/**
 * One backend: mock hive up, N workers started under guards, every worker checked, then every
 * worker torn down and checked for survivors. The hive and the guards are disposed on every path.
 */
export async function runBackend(context: TaskContext, plan: WorkerTestPlan, model: ModelFileInfo, backend: string): Promise<void> {
  const { report, out } = context;
  const label = plan.backends.length > 1 ? `[${backend}] ` : '';
  const suffix = plan.backends.length > 1 ? `-${backend}` : '';
  if (!(await checkWorkerCommand(context, plan, backend, label))) return;

  // Profiles without heartbeats (llama-server, openai) get no hive, unless the command names one.
  const needsHive = plan.profile.heartbeats !== undefined || commandUsesHive(plan);
  if (needsHive) out.step(`${label}Starting mock hive`);
  const heartbeatLog = join(context.runDir, `hive-heartbeats${suffix}.log`);
  await using hive = needsHive ? await startHive(context, plan, heartbeatLog, suffix) : undefined;
  const redactor = new Redactor(plan.secrets);

  const ports = await workerPorts(plan);
  const workers: WorkerUnderTest[] = [];
  try {
    out.step(`${label}Starting ${plan.workerIds.length === 1 ? 'worker' : `${plan.workerIds.length} workers`}`);
    for (const [i, workerId] of plan.workerIds.entries()) {
      const port = ports[i] as number;
      const name = plan.workerIds.length === 1 ? `worker${suffix}` : `worker-${i + 1}${suffix}`;
      const argv = workerArgv(plan, {
        workerId, model: model.path, modelRef: plan.modelRef, backend, device: plan.device, port,
        ...(hive ? { hivePort: hive.port, hiveUrl: hive.url } : NO_HIVE), heartbeatInterval: plan.heartbeatIntervalMs / 1000, threads: plan.threads, contextSize: plan.contextSize,
        ...(plan.apiKey === undefined ? {} : { apiKey: plan.apiKey }), ...(plan.hiveToken === undefined ? {} : { hiveToken: plan.hiveToken }),
      });
      out.info(`${name}: id ${workerId}, backend ${backend}, port ${port}${hive ? `, hive ${hive.url}` : ''}`);
      out.info(`${name}: ${redactor.redact(argv.join(' '))}`);
      const guard = await context.start({ name, command: argv[0] as string, args: argv.slice(1), cwd: plan.cwd, graceMs: plan.graceMs, secrets: plan.secrets });
      const fault = plan.launch.kind === 'reference' ? referenceFault(plan.extraArgs) : undefined;
      if (fault) currentTimeline().record({ lane: 'faults', kind: 'fault', label: `${name} started with --fault ${fault}`, status: 'warn', detail: { fault, worker: name } });
      context.nameTeardown(guard, `${label}${plan.workerIds.length === 1 ? '' : `${name} `}teardown`);
      workers.push({ guard, workerId, port, baseUrl: `http://127.0.0.1:${port}`, label: `${label}${plan.workerIds.length === 1 ? '' : `${name} `}`, modelName: plan.modelRef, startupDeadline: performance.now() + plan.timeoutMs, headers: plan.headers, healthPath: plan.profile.health.path });
    }
    out.step(`${label}Checking ${workers.length === 1 ? 'the worker' : `${workers.length} workers`}`);
    await Promise.all(workers.map((worker) => checkWorker(context, plan, hive, worker)));
  } finally {
    out.step(`${label}Tearing down`);
    const stops = await Promise.all(workers.map(async (worker) => ({ worker, stop: await worker.guard.stop() })));
    for (const { worker, stop } of stops) {
      await report.check(`${worker.label}teardown`, async () => {
        if (stop.survivors.length) throw new HarnessError('PROCESS_LEFT_BEHIND', `${worker.guard.name}: processes ${stop.survivors.join(', ')} of its group survived SIGKILL`, { evidence: { stop } });
        return { detail: describeStop(stop), evidence: { stop } };
      });
    }
  }
}
