import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Given, Then, When } from '@cucumber/cucumber';
import { ensureTinyModel } from '../../fixtures/tiny-model/write-tiny-llama.ts';
import { MockHive } from '../../mock-hive/mock-hive-server.ts';
import { hiveLauncher } from '../../tasks/e2e/hive-launcher.ts';
import { HiveClient } from '../../tasks/lib/e2e/hive-client.ts';
import { PHASES, phaseCheckName } from '../../tasks/lib/e2e/phase-runner.ts';
import { poolUrl } from '../../tasks/lib/e2e/pool-url.ts';
import { toHarnessError } from '../../tasks/lib/errors/harness-error.ts';
import { processesMatching } from '../../tasks/lib/process/find-processes.ts';
import { WorkerRegistry } from '../../tasks/lib/registry/worker-registry.ts';
import { resolveProfile } from '../../tasks/lib/worker/profile-store.ts';
import { readWorkersWithPythonSqlite } from '../../test/helpers/python-sqlite.ts';
import { runTaskLine, type TaskRun } from '../support/task-runs.ts';
import type { HarnessWorld } from '../support/world.ts';

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/processes/', import.meta.url));

/** The scenario's own directory: registries and files never collide between scenarios (--parallel). */
function scenarioDir(world: HarnessWorld): string {
  let dir = world.state.get('dir') as string | undefined;
  if (!dir) {
    dir = mkdtempSync(join(tmpdir(), 'hivecheck-scenario-'));
    world.state.set('dir', dir);
  }
  return dir;
}

/** `%dir%`, `%registry%`, `%node%` (this Node), `%fixtures%` (test/fixtures/processes/) in step text. */
function expand(world: HarnessWorld, text: string): string {
  const dir = scenarioDir(world);
  return text.replaceAll('%dir%', dir).replaceAll('%registry%', join(dir, 'registry', 'workers.db')).replaceAll('%node%', process.execPath).replaceAll('%fixtures%', FIXTURES);
}

function lastRun(world: HarnessWorld): TaskRun {
  const run = world.state.get('run') as TaskRun | undefined;
  assert.ok(run, 'no task was run in this scenario');
  return run;
}

// ---- task runs -------------------------------------------------------------------------------

When('I run the e2e flow with {string}', async function (this: HarnessWorld, args: string) {
  this.state.set('run', await runTaskLine(expand(this, `e2e --registry %registry% ${args}`)));
});

When('I run the e2e flow', async function (this: HarnessWorld) {
  this.state.set('run', await runTaskLine(expand(this, 'e2e --registry %registry% --max-tokens 8')));
});

Then('phases {int} through {int} passed and the [Phase N] ✓ lines were printed', function (this: HarnessWorld, from: number, to: number) {
  const run = lastRun(this);
  for (const phase of PHASES.filter((p) => Number(p.id.split('-')[0]) >= from && Number(p.id.split('-').at(-1)) <= to)) {
    const check = run.report.checks.find((c) => c.name === phaseCheckName(phase.id));
    assert.equal(check?.verdict, 'pass', `${phaseCheckName(phase.id)}: ${check?.detail}`);
    assert.ok(run.output.includes(`[Phase ${phase.id}] ✓`), `no [Phase ${phase.id}] ✓ line`);
  }
});

Then('Phase {string} failed with {string}', function (this: HarnessWorld, id: string, code: string) {
  const run = lastRun(this);
  const check = run.report.checks.find((c) => c.name === phaseCheckName(id as (typeof PHASES)[number]['id']));
  assert.equal(check?.verdict, 'fail', `Phase ${id}: ${check?.verdict} ${check?.detail}`);
  assert.equal(check?.code, code, check?.detail);
  assert.ok(run.output.includes(`[Phase ${id}] ✗`), `no [Phase ${id}] ✗ line`);
});

Then('the phases after {string} were not reached', function (this: HarnessWorld, id: string) {
  const run = lastRun(this);
  const after = PHASES.slice(PHASES.findIndex((p) => p.id === id) + 1);
  for (const phase of after) assert.equal(run.report.checks.find((c) => c.name === phaseCheckName(phase.id))?.verdict, 'skip', `${phaseCheckName(phase.id)} ran`);
});

Then('no phase ran', function (this: HarnessWorld) {
  assert.deepEqual(lastRun(this).report.checks.filter((c) => c.name.startsWith('Phase')).map((c) => c.name), []);
});

Then('it gave up after {int} consecutive errors, not after the ready timeout', function (this: HarnessWorld, errors: number) {
  const check = lastRun(this).report.checks.find((c) => c.name === phaseCheckName('7'));
  assert.match(check?.detail ?? '', new RegExp(`failed ${errors} times in a row`));
  assert.equal((check?.evidence.recentFailures as unknown[]).length, errors);
});

Then('the output says {string}', function (this: HarnessWorld, text: string) {
  assert.ok(lastRun(this).output.includes(text), `output lacks "${text}"`);
});

Then('the registry file holds the worker\'s row, read by another SQLite', function (this: HarnessWorld) {
  const run = lastRun(this);
  const [workerId] = run.report.settings.workerIds as string[];
  const file = expand(this, '%registry%');
  const rows = readWorkersWithPythonSqlite(file);
  const row = rows.find((r) => r.worker_id === workerId);
  assert.ok(row, `no row for ${workerId} in ${file}: ${JSON.stringify(rows)}`);
  assert.match(String(row.url), /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(row.backend, 'cpu');
  assert.equal(row.model, 'hivecheck:tiny-random-llama');
});

// ---- Phase 1: the registry, through the library -----------------------------------------------

Given('a registry at {string}', function (this: HarnessWorld, path: string) {
  this.state.set('registry-path', expand(this, path));
});

When('the keeper opens the registry', function (this: HarnessWorld) {
  try {
    const registry = WorkerRegistry.open(this.state.get('registry-path') as string, scenarioDir(this));
    this.own({ [Symbol.asyncDispose]: async () => registry.close() });
    this.state.set('registry', registry);
  } catch (error) {
    this.state.set('registry-error', toHarnessError(error));
  }
});

Then('its connection string is {string}', function (this: HarnessWorld, expected: string) {
  const registry = this.state.get('registry') as WorkerRegistry | undefined;
  assert.ok(registry, `the registry did not open: ${(this.state.get('registry-error') as Error | undefined)?.message}`);
  assert.equal(registry.connection.connectionString, expand(this, expected));
});

Then('a worker row the keeper writes is read back by another SQLite from the file', function (this: HarnessWorld) {
  const registry = this.state.get('registry') as WorkerRegistry;
  registry.upsert({ workerId: 'w-1', url: 'http://127.0.0.1:18081', model: 'hf:tiny.gguf', backend: 'cpu', device: 0, state: 'Loading', node: 'localhost' });
  const rows = readWorkersWithPythonSqlite(registry.connection.filename);
  assert.deepEqual(rows.map((row) => [row.worker_id, row.url, row.state]), [['w-1', 'http://127.0.0.1:18081', 'Loading']]);
});

Then('opening fails with {string} and the fix says {string}', function (this: HarnessWorld, code: string, fix: string) {
  const error = this.state.get('registry-error') as ReturnType<typeof toHarnessError> | undefined;
  assert.ok(error, 'the registry opened');
  assert.equal(error.code, code, error.message);
  assert.ok(error.hint?.includes(fix), `hint: ${error.hint}`);
});

// ---- Phase 2: the pool URL rule ---------------------------------------------------------------

Then('node {string} with hive port {int} is reached at {string}', function (node: string, port: number, url: string) {
  assert.equal(poolUrl(node, port), url);
});

// ---- Phases 3–5: the hive, through the library ------------------------------------------------

Given('a spawning hive', async function (this: HarnessWorld) {
  const hive = this.own(await MockHive.start({ pool: { launcher: hiveLauncher({ profile: resolveProfile('seed'), heartbeatIntervalS: 1, threads: 1, contextSize: 256 }), graceMs: 1000 } }));
  this.state.set('hive', hive);
});

When('the keeper asks it for a worker on model {string}', async function (this: HarnessWorld, model: string) {
  const hive = this.state.get('hive') as MockHive;
  const workerId = `feature-worker-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
  this.state.set('worker-id', workerId);
  const path = model === 'the tiny model' ? await ensureTinyModel() : model;
  try {
    this.state.set('spawned', await new HiveClient(hive.url).spawn({ worker_id: workerId, model_path: path, model_ref: 'tiny', backend: 'cpu', device: 0 }));
  } catch (error) {
    this.state.set('spawn-error', toHarnessError(error));
  }
});

Then('the hive refuses with {string} saying {string}, and no worker process runs', function (this: HarnessWorld, code: string, text: string) {
  const error = this.state.get('spawn-error') as ReturnType<typeof toHarnessError> | undefined;
  assert.ok(error, 'the hive spawned a worker');
  assert.equal(error.code, code);
  assert.ok(error.message.includes(text), error.message);
  assert.deepEqual((this.state.get('hive') as MockHive).pool?.list(), []);
  assert.deepEqual(processesMatching(this.state.get('worker-id') as string), []);
});
