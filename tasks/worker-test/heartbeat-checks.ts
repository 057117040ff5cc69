import { judgeIntervals, judgeStateTransitions } from '../../mock-hive/heartbeat-judges.ts';
import type { MockHive } from '../../mock-hive/mock-hive-server.ts';
import { formatDuration } from '../lib/time/format-duration.ts';
import type { TaskContext } from '../runner/task-context.ts';
import type { WorkerTestPlan } from './worker-test-plan.ts';
import type { WorkerUnderTest } from './worker-under-test.ts';

/**
 * Heartbeats, event-driven: wait until the hive has `--heartbeats` heartbeats in the ready
 * state from this worker id (failing at once if the worker exits), then judge the states it went
 * through and the spacing of its periodic heartbeats.
 */
export async function heartbeatChecksFor(context: TaskContext, plan: WorkerTestPlan, hive: MockHive, worker: WorkerUnderTest, states: readonly string[]): Promise<void> {
  const { report } = context;
  const readyState = states[states.length - 1] as string;
  const received = await report.check(`${worker.label}heartbeats`, async () => {
    const started = performance.now();
    await hive.log.waitForHeartbeats(worker.workerId, plan.heartbeats, {
      timeoutMs: plan.heartbeatTimeoutMs,
      failFastOn: [worker.guard],
      where: (beat) => beat.state === readyState,
      what: `${readyState} heartbeats`,
    });
    const all = hive.log.heartbeats(worker.workerId);
    return { detail: `${all.length} heartbeats from ${worker.workerId} (${plan.heartbeats} in state ${readyState}, waited ${formatDuration(performance.now() - started)})`, evidence: { heartbeats: hive.log.lines().slice(-20) } };
  });
  if (!received) {
    report.skip(`${worker.label}heartbeat states`, 'not enough heartbeats arrived');
    report.skip(`${worker.label}heartbeat interval`, 'not enough heartbeats arrived');
    return;
  }
  await report.check(`${worker.label}heartbeat states`, async () => judgeStateTransitions(hive.log, worker.workerId, states));
  await report.check(`${worker.label}heartbeat interval`, async () => judgeIntervals(hive.log, worker.workerId, readyState, plan.heartbeatIntervalMs, plan.intervalTolerance));
}
