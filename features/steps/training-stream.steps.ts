import assert from 'node:assert/strict';
import { Given, Then, When } from '@cucumber/cucumber';
import { ProcessGuard } from '../../tasks/lib/process/process-guard.ts';
import { RunReport } from '../../tasks/lib/report/run-report.ts';
import { launchPolicyServer, type LaunchedServer } from '../../tasks/lib/status-protocol/policy-server-launcher.ts';
import { runTrainingChecks } from '../../tasks/lib/status-protocol/training/checks/run-training-checks.ts';
import { trainingServerArgv, type TrainingFault } from '../../tasks/lib/status-protocol/training/training-server-launcher.ts';
import { closeTrainingClients, newTrainingState } from '../../tasks/lib/status-protocol/training/training-state.ts';
import type { HarnessWorld } from '../support/world.ts';

// Thin steps over the library status-protocol:test --protocol training runs: the task's launcher
// starts the reference training server, the task's checks judge it.

const SERVER = 'training.server';
/** The report goes where the status-protocol steps read it, so "the status check … passes/fails with/is skipped" serve both subjects. */
const REPORT = 'status.report';
const JOB = 'job_feature';

async function startServer(world: HarnessWorld, steps: number, stepInterval: number, fault?: TrainingFault): Promise<void> {
  const argv = trainingServerArgv({ jobId: JOB, steps, epochs: 3, stepIntervalSeconds: stepInterval, maxConnections: 10, fault });
  const server = await launchPolicyServer({ start: async (options) => world.own(await ProcessGuard.start(options)), argv, name: 'training-server', flag: 'step', startTimeoutMs: 30_000, readyPath: `/jobs/${JOB}` });
  world.state.set(SERVER, server);
}

async function runChecks(world: HarnessWorld, clients: number, messageTimeoutS: number): Promise<void> {
  const server = world.state.get(SERVER) as LaunchedServer | undefined;
  assert.ok(server, 'no training server was started');
  const state = newTrainingState({
    baseUrl: server.baseUrl,
    jobId: JOB,
    clients,
    maxConnections: 10,
    latencySource: 'trainer-stamps',
    timing: { openTimeoutMs: 10_000, messageTimeoutMs: messageTimeoutS * 1000, firstMessageTimeoutMs: 30_000, maxIntervalMs: 1000, maxLatencyMs: 1000, countSettleMs: 3000, maxPayload: 1024 * 1024 },
  });
  world.own({ [Symbol.asyncDispose]: () => closeTrainingClients(state) });
  const report = new RunReport('status-protocol:test');
  await runTrainingChecks(report, state);
  world.state.set(REPORT, report);
}

Given('the reference training server runs a job of {int} steps at {float} seconds per step', async function (this: HarnessWorld, steps: number, interval: number) {
  await startServer(this, steps, interval);
});

Given('the reference training server runs a job of {int} steps at {float} seconds per step with the fault {string}', async function (this: HarnessWorld, steps: number, interval: number, fault: string) {
  await startServer(this, steps, interval, fault as TrainingFault);
});

When('the training stream checks run with {int} watching clients', async function (this: HarnessWorld, clients: number) {
  await runChecks(this, clients, 5);
});

When('the training stream checks run with {int} watching clients and a message timeout of {float} seconds', async function (this: HarnessWorld, clients: number, timeout: number) {
  await runChecks(this, clients, timeout);
});

Then('the largest gap between updates stayed under {float} second(s)', function (this: HarnessWorld, limit: number) {
  const report = this.state.get(REPORT) as RunReport | undefined;
  const evidence = report?.checks.find((result) => result.name === 'update interval')?.evidence ?? {};
  assert.ok(typeof evidence.largestGapMs === 'number', 'no gap in the evidence');
  assert.ok(evidence.largestGapMs <= limit * 1000, `largest gap ${evidence.largestGapMs} ms`);
});
