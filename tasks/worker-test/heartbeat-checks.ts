import { judgeIntervalsPatiently, judgeStateTransitions } from '../../mock-hive/heartbeat-judges.ts';
import type { MockHive } from '../../mock-hive/mock-hive-server.ts';
import { HarnessError, toHarnessError } from '../lib/errors/harness-error.ts';
import { formatDuration } from '../lib/time/format-duration.ts';
import type { TaskContext } from '../runner/task-context.ts';
import type { WorkerTestPlan } from './worker-test-plan.ts';
import type { CheckedWorker } from './worker-under-test.ts';

/**
 * Heartbeats, event-driven: wait until the hive has `--heartbeats` heartbeats in the ready
 * state from this worker id (failing at once if the worker exits), then judge the states it went
 * through and the spacing of its periodic heartbeats.
 */
export async function heartbeatChecksFor(context: TaskContext, plan: WorkerTestPlan, hive: MockHive, worker: CheckedWorker, states: readonly string[]): Promise<void> {
  const { report } = context;
  const readyState = states[states.length - 1] as string;
  const received = await report.check(`${worker.label}heartbeats`, async () => {
    const started = performance.now();
    try {
      await hive.log.waitForHeartbeats(worker.workerId, plan.heartbeats, {
        timeoutMs: plan.heartbeatTimeoutMs,
        failFastOn: [worker.guard],
        where: (beat) => beat.state === readyState,
        what: `${readyState} heartbeats`,
      });
    } catch (error) {
      const failure = toHarnessError(error);
      if (failure.code !== 'WAIT_TIMEOUT' || failure.hint) throw failure;
      throw new HarnessError(failure.code, failure.message, { evidence: failure.evidence, hint: missingHeartbeatsHint(hive, worker, readyState, plan), cause: failure });
    }
    const all = hive.log.heartbeats(worker.workerId);
    return { detail: `${all.length} heartbeats from ${worker.workerId} (${plan.heartbeats} in state ${readyState}, waited ${formatDuration(performance.now() - started)})`, evidence: { heartbeats: hive.log.lines().slice(-20) } };
  });
  if (!received) {
    report.skip(`${worker.label}heartbeat states`, 'not enough heartbeats arrived');
    report.skip(`${worker.label}heartbeat interval`, 'not enough heartbeats arrived');
    return;
  }
  await report.check(`${worker.label}heartbeat states`, async () => judgeStateTransitions(hive.log, worker.workerId, states));
  await report.check(`${worker.label}heartbeat interval`, async () => judgeIntervalsPatiently(hive.log, worker.workerId, readyState, plan.heartbeatIntervalMs, plan.intervalTolerance, [worker.guard]));
}

/** What the hive's log shows about heartbeats that did not come: none at all, rejected ones, other ids, or not enough in the ready state. */
function missingHeartbeatsHint(hive: MockHive, worker: CheckedWorker, readyState: string, plan: WorkerTestPlan): string {
  const mine = hive.log.heartbeats(worker.workerId);
  const rejected = hive.log.rejected();
  const others = hive.log.workerIds().filter((id) => !plan.workerIds.includes(id)); // not this run's other workers
  const unauthorized = rejected.filter((entry) => entry.status === 401);
  if (unauthorized.length > 0 && unauthorized.length === rejected.length) return `the mock hive refused ${unauthorized.length} heartbeat(s) without this run's hive token (last: ${unauthorized.at(-1)?.reason}): start the worker with the token printed at the start of the run (--hive-token, {hiveToken}); it must send "Authorization: Bearer <token>"`;
  if (rejected.length > 0) return `the mock hive rejected ${rejected.length} heartbeat(s) (last: ${rejected.at(-1)?.reason}): send them in the heartbeat format the hive accepts`;
  if (others.length > 0) return `heartbeats came under another worker id (${others.join(', ')}): the worker must send the id it is given as {workerId}`;
  if (mine.length === 0) return `the mock hive got no heartbeat at all: the worker must POST heartbeats to the hive URL it is given ({hiveUrl}) every ${formatDuration(plan.heartbeatIntervalMs)} (--heartbeat-interval), from start-up on`;
  const states = [...new Set(mine.map((beat) => beat.state))].join(', ');
  return `${mine.length} heartbeat(s) came, in state ${states}, but fewer than ${plan.heartbeats} in state ${readyState}: once it is ready the worker must say ${readyState} in its heartbeats`;
}
