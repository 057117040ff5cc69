import assert from 'node:assert/strict';
import { Then, When } from '@cucumber/cucumber';
import { processesMatching } from '../../tasks/lib/process/find-processes.ts';
import { runTaskLine, type TaskRun } from '../support/task-runs.ts';
import type { HarnessWorld } from '../support/world.ts';

function lastRun(world: HarnessWorld): TaskRun {
  const run = world.state.get('run') as TaskRun | undefined;
  assert.ok(run, 'no task was run in this scenario');
  return run;
}

function check(run: TaskRun, name: string) {
  const found = run.report.checks.find((candidate) => candidate.name === name);
  assert.ok(found, `no check named "${name}" in: ${run.report.checks.map((c) => c.name).join(', ')}`);
  return found;
}

When('I run {string}', async function (this: HarnessWorld, line: string) {
  this.state.set('run', await runTaskLine(line));
});

Then('the run passes with exit code 0', function (this: HarnessWorld) {
  const run = lastRun(this);
  assert.equal(run.exitCode, 0, run.output);
  assert.equal(run.report.verdict, 'pass');
});

Then('the run fails with exit code {int}', function (this: HarnessWorld, code: number) {
  const run = lastRun(this);
  assert.equal(run.exitCode, code, run.output);
  assert.equal(run.report.exitCode, code);
});

Then('the check {string} failed with {string}', function (this: HarnessWorld, name: string, code: string) {
  const found = check(lastRun(this), name);
  assert.equal(found.verdict, 'fail');
  assert.equal(found.code, code, found.detail);
});

Then('the check {string} passed with real tokens', function (this: HarnessWorld, name: string) {
  const found = check(lastRun(this), name);
  assert.equal(found.verdict, 'pass', found.detail);
  const result = found.evidence.result as { tokens: number; text: string };
  assert.ok(result.tokens >= 1 && result.text.length > 0, `no tokens in ${JSON.stringify(result)}`);
});

Then('the hive received heartbeats from the worker going Loading → Ready', function (this: HarnessWorld) {
  const run = lastRun(this);
  assert.equal(check(run, 'heartbeats').verdict, 'pass');
  assert.equal(check(run, 'heartbeat states').detail, 'Loading → Ready');
  const ids = run.report.settings.workerIds as string[];
  const hiveLog = run.report.logs.find((log) => log.name.startsWith('mock-hive heartbeats'));
  assert.ok(hiveLog?.tail.some((line) => line.includes(`from worker: ${ids[0]} State: Ready`)), 'the heartbeat log has no Ready heartbeat from the worker');
});

Then('the summary shows the last log lines of {string}', function (this: HarnessWorld, name: string) {
  const run = lastRun(this);
  assert.match(run.output, new RegExp(`📋 ${name} \\(last \\d+ lines`));
  const log = run.report.logs.find((candidate) => candidate.name === name);
  assert.ok(log && log.tail.length > 0, `no log tail for ${name}`);
});

Then('no process of the run is left running', function (this: HarnessWorld) {
  for (const id of lastRun(this).report.settings.workerIds as string[]) {
    assert.deepEqual(processesMatching(id), [], `processes with worker id ${id} are still running`);
  }
});

Then('no worker was started', function (this: HarnessWorld) {
  const run = lastRun(this);
  assert.equal(run.report.logs.filter((log) => log.name.startsWith('worker')).length, 0);
  assert.ok(!run.report.checks.some((c) => c.name === 'health'), 'a health check ran, so a worker was started');
});

Then('the canary is not rolled back', function (this: HarnessWorld) {
  const run = lastRun(this);
  // 0 promote, 4 hold (a person decides): both are "not worse"; 1 is rollback, 2/3 a broken run.
  assert.ok(run.exitCode === 0 || run.exitCode === 4, `canary:check exited ${run.exitCode}:\n${run.output}`);
});
