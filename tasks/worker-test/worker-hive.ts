import { MockHive } from '../../mock-hive/mock-hive-server.ts';
import type { TaskContext } from '../runner/task-context.ts';
import type { WorkerTestPlan } from './worker-test-plan.ts';

/**
 * The mock hive of a worker:test run: on 127.0.0.1, or published on `--hive-bind` with the run's
 * token. Its heartbeat log is attached to the run; the token is printed once, here, unmasked
 * (the user hands it to a worker the harness did not start) and masked everywhere else.
 */
export async function startHive(context: TaskContext, plan: WorkerTestPlan, logFile: string, suffix = ''): Promise<MockHive> {
  const { out } = context;
  const hive = await MockHive.start({
    port: plan.hivePort,
    logFile,
    onLine: (line) => out.info(`hive: ${line}`),
    ...(plan.hiveBind === undefined ? {} : { host: plan.hiveBind }),
    ...(plan.hiveToken === undefined ? {} : { token: plan.hiveToken }),
  });
  context.attachLog(`mock-hive heartbeats${suffix}`, { path: logFile, lines: () => hive.log.lines() });
  out.info(`mock hive listening on ${hive.url}${hive.requiresToken ? ' (token required)' : ''}`);
  if (plan.hiveToken !== undefined) {
    out.reveal(
      [
        `🔑 hive for the worker: --hive-url ${hive.url}  --hive-token ${plan.hiveToken}${plan.url ? `  --worker-id ${plan.workerIds[0]}` : ''}`,
        '   (the token is printed only here; heartbeats must carry it as "Authorization: Bearer <token>"; without it the hive answers 401)',
      ].join('\n'),
    );
  }
  return hive;
}
