import assert from 'node:assert/strict';
import { Given, Then, When } from '@cucumber/cucumber';
import { HarnessError } from '../../tasks/lib/errors/harness-error.ts';
import { ProcessGuard } from '../../tasks/lib/process/process-guard.ts';
import { RunReport } from '../../tasks/lib/report/run-report.ts';
import type { CheckResult } from '../../tasks/lib/report/check-result.ts';
import { closeSessions, newCheckState, type StatusCheckState } from '../../tasks/lib/status-protocol/checks/check-state.ts';
import { coldStart } from '../../tasks/lib/status-protocol/checks/cold-start.ts';
import { inferenceAfterReady } from '../../tasks/lib/status-protocol/checks/inference-after-ready.ts';
import { modelListing } from '../../tasks/lib/status-protocol/checks/model-listing.ts';
import { runStatusChecks } from '../../tasks/lib/status-protocol/checks/run-status-checks.ts';
import { launchPolicyServer, referenceServerArgv, type LaunchedServer, type ReferenceServerKnobs } from '../../tasks/lib/status-protocol/policy-server-launcher.ts';
import { SessionClient } from '../../tasks/lib/status-protocol/session-client.ts';
import type { HarnessWorld } from '../support/world.ts';

// Thin steps over the same library the status-protocol:test task runs: the reference server is
// started by the task's launcher, the checks are the task's checks.

const SERVER = 'status.server';
const REPORT = 'status.report';
const STATE = 'status.state';
const FAILURE = 'status.failure';

async function startServer(world: HarnessWorld, knobs: ReferenceServerKnobs): Promise<void> {
  const server = await launchPolicyServer({ start: async (options) => world.own(await ProcessGuard.start(options)), argv: referenceServerArgv(knobs), name: 'policy-server', flag: 'step', startTimeoutMs: 20_000 });
  world.state.set(SERVER, server);
}

function server(world: HarnessWorld): LaunchedServer {
  const found = world.state.get(SERVER) as LaunchedServer | undefined;
  assert.ok(found, 'no policy server was started');
  return found;
}

function checkResult(world: HarnessWorld, name: string): CheckResult {
  const report = world.state.get(REPORT) as RunReport | undefined;
  assert.ok(report, 'the checks did not run');
  const found = report.checks.find((result) => result.name === name);
  assert.ok(found, `no check "${name}" ran (ran: ${report.checks.map((result) => result.name).join(', ')})`);
  return found;
}

Given('the reference policy server loads a model in {float} second(s) with a status update every {float} seconds', async function (this: HarnessWorld, load: number, interval: number) {
  await startServer(this, { loadSeconds: load, updateIntervalSeconds: interval });
});

Given('the reference policy server serves the models {string}', async function (this: HarnessWorld, models: string) {
  await startServer(this, { loadSeconds: 0.2, updateIntervalSeconds: 0.1, models: models.split(',') });
});

Given('the reference policy server blocks its event loop while it loads a model for {float} seconds', async function (this: HarnessWorld, load: number) {
  await startServer(this, { loadSeconds: load, updateIntervalSeconds: 0.25, fault: 'block-event-loop' });
});

When('the status protocol checks run with a keepalive of {float} second(s)', async function (this: HarnessWorld, keepalive: number) {
  const keepaliveMs = keepalive * 1000;
  const state: StatusCheckState = newCheckState({
    baseUrl: server(this).baseUrl,
    timing: { openTimeoutMs: 10_000, keepaliveMs, messageTimeoutMs: keepaliveMs * 2, pingIntervalMs: keepaliveMs / 2, pingTimeoutMs: keepaliveMs / 2, maxPayload: 1024 * 1024 },
  });
  this.own({ [Symbol.asyncDispose]: () => closeSessions(state) });
  const report = new RunReport('status-protocol:test');
  await runStatusChecks(report, state, [modelListing, coldStart, inferenceAfterReady]);
  this.state.set(REPORT, report);
  this.state.set(STATE, state);
});

When('a client asks for a session on the model {string}', async function (this: HarnessWorld, model: string) {
  const started = performance.now();
  try {
    const { client } = await SessionClient.connect({ url: server(this).baseUrl, model, messageTimeoutMs: 5000 });
    await client.close();
  } catch (error) {
    assert.ok(error instanceof HarnessError, String(error));
    error.evidence.stepElapsedMs = performance.now() - started;
    this.state.set(FAILURE, error);
    return;
  }
  assert.fail(`the server accepted a session on ${model}`);
});

Then('the status check {string} passes', function (this: HarnessWorld, name: string) {
  const result = checkResult(this, name);
  assert.equal(result.verdict, 'pass', `${name}: [${result.code ?? ''}] ${result.detail}`);
});

Then('the status check {string} fails with {string}', function (this: HarnessWorld, name: string, code: string) {
  const result = checkResult(this, name);
  assert.equal(result.verdict, 'fail', `${name} did not fail: ${result.detail}`);
  assert.equal(result.code, code, result.detail);
  this.state.set(FAILURE, result);
});

Then('the status check {string} is skipped', function (this: HarnessWorld, name: string) {
  assert.equal(checkResult(this, name).verdict, 'skip');
});

Then('the cold start saw at least {int} loading frames before ready', function (this: HarnessWorld, count: number) {
  const state = this.state.get(STATE) as StatusCheckState;
  const frames = state.cold?.ready.statusFrames.filter((frame) => frame.status === 'loading') ?? [];
  assert.ok(frames.length >= count, `only ${frames.length} loading frames`);
});

Then('the largest gap between status frames stayed under the keepalive', function (this: HarnessWorld) {
  const { evidence } = checkResult(this, 'cold start');
  assert.ok(typeof evidence.largestGapMs === 'number' && typeof evidence.keepaliveMs === 'number', 'no gap in the evidence');
  assert.ok(evidence.largestGapMs < evidence.keepaliveMs, `largest gap ${evidence.largestGapMs} ms ≥ keepalive ${evidence.keepaliveMs} ms`);
});

Then('the server answers with an error that names {string} and lists {string} and {string}', function (this: HarnessWorld, id: string, first: string, second: string) {
  const failure = this.state.get(FAILURE) as HarnessError;
  assert.equal(failure.code, 'SERVER_ERROR', failure.message);
  const text = String(failure.evidence.serverError);
  for (const wanted of [id, first, second]) assert.ok(text.includes(wanted), `"${text}" does not mention ${wanted}`);
});

Then('the server closes the connection with code {int} without a hang', function (this: HarnessWorld, code: number) {
  const failure = this.state.get(FAILURE) as HarnessError;
  assert.equal(failure.evidence.closeCode, code);
  assert.ok((failure.evidence.stepElapsedMs as number) < 2000, `took ${String(failure.evidence.stepElapsedMs)} ms`);
});

Then('the failure says {string}', function (this: HarnessWorld, text: string) {
  const failure = this.state.get(FAILURE) as CheckResult;
  assert.ok(failure.detail.includes(text), failure.detail);
});
