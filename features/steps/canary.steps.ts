import assert from 'node:assert/strict';
import { Then } from '@cucumber/cucumber';
import { liveGuards } from '../../tasks/lib/process/guard-registry.ts';
import { liveGroups, startedPids } from '../../test/helpers/process-lanes.ts';
import type { TaskRun } from '../support/task-runs.ts';
import type { HarnessWorld } from '../support/world.ts';

interface CanarySection {
  decision: string;
  reasons: string[];
  gates: Array<{ name: string; baseline: string; canary: string }>;
}

function lastCanary(world: HarnessWorld): { run: TaskRun; canary: CanarySection } {
  const run = world.state.get('run') as TaskRun | undefined;
  assert.ok(run, 'no task was run in this scenario');
  const canary = (run.report as unknown as { canary?: CanarySection }).canary;
  assert.ok(canary, `no canary section in the report:\n${run.output}`);
  return { run, canary };
}

Then('the canary decision is {string} with exit code {int}', function (this: HarnessWorld, decision: string, code: number) {
  const { run, canary } = lastCanary(this);
  assert.equal(canary.decision, decision, run.output);
  assert.equal(run.exitCode, code);
  assert.equal(run.report.decision?.exitCode, code);
});

Then('the decision names the metric {string}', function (this: HarnessWorld, metric: string) {
  const { canary } = lastCanary(this);
  assert.ok(canary.reasons.some((reason) => reason.startsWith(`metric "${metric}" failed`) || reason.startsWith(`critical metric "${metric}" failed`)), `no rollback reason names ${metric}: ${canary.reasons.join(' | ')}`);
});

Then('the canary decision is not {string}', function (this: HarnessWorld, decision: string) {
  const { run, canary } = lastCanary(this);
  assert.notEqual(canary.decision, decision, run.output);
  assert.equal(run.exitCode, { promote: 0, hold: 4, rollback: 1 }[canary.decision]);
});

Then('the decision holds on the metric {string} because {int} process pairs cannot show it', function (this: HarnessWorld, metric: string, pairs: number) {
  const { canary } = lastCanary(this);
  const reason = canary.reasons.find((line) => line.startsWith(`metric "${metric}" inconclusive`));
  assert.ok(reason, `no hold reason names ${metric}: ${canary.reasons.join(' | ')}`);
  assert.match(reason, new RegExp(`worse in ${pairs} of ${pairs} process pairs .*${pairs} pairs cannot show it even when all are worse`));
});

Then('every gate passed on both sides', function (this: HarnessWorld) {
  const { canary } = lastCanary(this);
  assert.deepEqual(canary.gates.filter((gate) => gate.baseline !== 'pass' || gate.canary !== 'pass'), []);
});

Then('the decision names the gate {string}', function (this: HarnessWorld, gate: string) {
  const { canary } = lastCanary(this);
  assert.ok(canary.reasons.some((reason) => reason.includes(`gate "${gate}" regressed`)), `no rollback reason names ${gate}: ${canary.reasons.join(' | ')}`);
});

Then('the gate {string} passed on the baseline and failed on the canary', function (this: HarnessWorld, name: string) {
  const { canary } = lastCanary(this);
  assert.deepEqual(canary.gates.filter((gate) => gate.name === name).map((gate) => [gate.baseline, gate.canary]), [['pass', 'fail']]);
});

Then('every worker:test gate passed on both sides', function (this: HarnessWorld) {
  const { canary } = lastCanary(this);
  const failing = canary.gates.filter((gate) => gate.baseline !== 'pass' || gate.canary !== 'pass');
  assert.deepEqual(failing, []);
});

Then('no subject of the canary run is left running', function (this: HarnessWorld) {
  assert.deepEqual(liveGuards().map((guard) => guard.name), []);
});

Then('each side of the canary run started {int} workers, none left running', function (this: HarnessWorld, count: number) {
  const { run } = lastCanary(this);
  const pids = { baseline: startedPids(run.report, 'baseline-worker'), canary: startedPids(run.report, 'canary-worker') };
  assert.deepEqual({ baseline: pids.baseline.length, canary: pids.canary.length }, { baseline: count, canary: count });
  assert.deepEqual(liveGroups([...pids.baseline, ...pids.canary]), []);
});

Then('the decision holds because the gate {string} fails on both sides', function (this: HarnessWorld, gate: string) {
  const { canary } = lastCanary(this);
  assert.ok(canary.reasons.some((reason) => reason.includes(`gate "${gate}" fails on both sides: the probe or its budget does not fit this subject`)), `no hold reason names ${gate}: ${canary.reasons.join(' | ')}`);
  assert.ok(!canary.reasons.some((reason) => reason.includes('regressed')), canary.reasons.join(' | '));
});

Then('the decision names the canary\'s exit {string}', function (this: HarnessWorld, exit: string) {
  const { canary } = lastCanary(this);
  assert.ok(canary.reasons[0]?.startsWith('gate "runs without crashing" regressed') && canary.reasons[0].includes(exit), `the first reason does not name the exit: ${canary.reasons.join(' | ')}`);
});
