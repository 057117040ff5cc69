import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { processesMatching } from '../../tasks/lib/process/find-processes.ts';
import { fixturePath } from '../helpers/fixture-path.ts';
import { readWorkersWithPythonSqlite } from '../helpers/python-sqlite.ts';
import { checkNamed, runTask, verdicts } from '../helpers/run-task-in-process.ts';

const registryIn = (): string => join(mkdtempSync(join(tmpdir(), 'hivecheck-e2e-')), 'nested', 'workers.db');
const PHASE_NAMES = ['Phase 1: worker registry', 'Phase 2: pool preflight', 'Phase 3-5: worker spawn', 'Phase 6: worker registration', 'Phase 7: worker ready', 'Phase 8: inference'];

function noWorkerLeft(report: { settings: Record<string, unknown> }): void {
  for (const id of report.settings.workerIds as string[]) expect(processesMatching(id)).toEqual([]);
}

describe('e2e task (keeper → built-in hive → reference worker)', () => {
  it('passes all 8 phases, prints them, and leaves the worker row in the SQLite file', async () => {
    const registry = registryIn();
    const run = await runTask(['e2e', '--registry', registry, '--max-tokens', '8']);
    expect(run.exitCode, run.output).toBe(0);
    for (const name of PHASE_NAMES) expect(checkNamed(run.report, name).verdict).toBe('pass');
    expect(checkNamed(run.report, 'teardown: no worker left').verdict).toBe('pass');
    for (const id of ['1', '2', '3-5', '6', '7', '8']) expect(run.output).toContain(`[Phase ${id}] ✓`);
    expect(checkNamed(run.report, 'Phase 8: inference').evidence.result).toMatchObject({ tokens: 8 });
    // The row, read by another SQLite (Python's): url, model, backend, state (Stopped after teardown).
    const [workerId] = run.report.settings.workerIds as string[];
    const rows = readWorkersWithPythonSqlite(registry);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ worker_id: workerId, model: 'hivecheck:tiny-random-llama', backend: 'cpu', device: 0, state: 'Stopped', node: 'localhost' });
    expect(String(rows[0]?.url)).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    // Each phase is a span on the run timeline's phases lane.
    const spans = run.report.timeline.events.filter((event) => event.lane === 'phases');
    expect(spans.map((event) => event.label)).toEqual(PHASE_NAMES);
    expect(spans.every((event) => event.status === 'ok' && event.endMs !== undefined)).toBe(true);
    noWorkerLeft(run.report);
  }, 120_000);

  it('missing model: exit 3 before Phase 1, no worker spawned, and the fix', async () => {
    const run = await runTask(['e2e', '--model', '/nonexistent/models/tinyllama.gguf', '--registry', registryIn()]);
    expect(run.exitCode).toBe(3);
    expect(checkNamed(run.report, 'preflight: model file')).toMatchObject({ verdict: 'fail', code: 'MODEL_NOT_FOUND' });
    expect(checkNamed(run.report, 'preflight: model file').hint).toMatch(/--model/);
    expect(run.report.checks.some((check) => check.name.startsWith('Phase'))).toBe(false);
    expect(run.report.logs.filter((log) => log.name.startsWith('worker'))).toEqual([]);
    expect(run.output).toContain('model file /nonexistent/models/tinyllama.gguf does not exist');
  }, 60_000);

  it('worker unreachable: Phase 7 fails after 10 consecutive connection errors (not the ready timeout), nothing left running', async () => {
    // The worker listens on a port of its own choosing, not the one the hive gave it; it still heartbeats.
    const run = await runTask(['e2e', '--registry', registryIn(), '--worker-arg=--port=0', '--error-interval', '0.1', '--ready-timeout', '120']);
    expect(run.exitCode, run.output).toBe(1);
    expect(verdicts(run.report)).toMatchObject({ 'Phase 6: worker registration': 'pass', 'Phase 7: worker ready': 'fail', 'Phase 8: inference': 'skip', 'teardown: no worker left': 'pass' });
    const phase7 = checkNamed(run.report, 'Phase 7: worker ready');
    expect(phase7.code).toBe('WORKER_UNREACHABLE');
    expect(phase7.detail).toMatch(/failed 10 times in a row \(nothing is answering\)/);
    expect(phase7.evidence.recentFailures).toHaveLength(10);
    expect(phase7.durationMs).toBeLessThan(120_000);
    expect(run.output).toContain('[Phase 7] ✗');
    expect(run.output).toMatch(/📋 worker-e2e-worker-.* \(last \d+ lines/);
    expect(run.output).toMatch(/📋 hive \(last \d+ lines/);
    noWorkerLeft(run.report);
  }, 120_000);

  it('worker crashes at start: Phase 6 fails at once with the exit, logs dumped, nothing left', async () => {
    const run = await runTask(['e2e', '--registry', registryIn(), '--worker-arg=--fault=crash-at-start', '--register-timeout', '120']);
    expect(run.exitCode).toBe(1);
    const phase6 = checkNamed(run.report, 'Phase 6: worker registration');
    expect(phase6).toMatchObject({ verdict: 'fail', code: 'WORKER_EXITED' });
    expect(phase6.durationMs).toBeLessThan(120_000);
    // The worker is named once, by its id (not its process guard's name), and the fix quotes its log.
    const [workerId] = run.report.settings.workerIds as string[];
    expect(phase6.detail).toMatch(new RegExp(`^worker ${workerId} exited with code 1 before it registered with the hive \\(first heartbeat\\) \\(after [\\d.]+ m?s\\)$`));
    expect(phase6.detail.split(workerId as string)).toHaveLength(2);
    expect(phase6.hint).toMatch(/^fix what its log says; its last line: ".*fault injected \(crash-at-start\)/);
    expect(run.output).toContain('fault injected (crash-at-start)');
    expect(checkNamed(run.report, 'teardown: no worker left').verdict).toBe('pass');
    noWorkerLeft(run.report);
  }, 120_000);

  it('worker never ready: Phase 7 times out at --ready-timeout, names the worker once and says what to change', async () => {
    // 8 s: the worker's engine start can hold its event loop for seconds on a busy machine (a probe then
    // sees a request timeout); the budget leaves room for the "not ready yet" answers this test is about.
    const run = await runTask(['e2e', '--registry', registryIn(), '--worker-arg=--fault=never-ready', '--ready-timeout', '8', '--register-timeout', '120']);
    expect(run.exitCode, run.output).toBe(1);
    const phase7 = checkNamed(run.report, 'Phase 7: worker ready');
    expect(phase7).toMatchObject({ verdict: 'fail', code: 'WORKER_NOT_READY' });
    const [workerId] = run.report.settings.workerIds as string[];
    expect(phase7.detail).toMatch(new RegExp(`^worker ${workerId} never became ready: timed out after 8\\.00 s waiting for http://127\\.0\\.0\\.1:\\d+/v1/ready to say ready \\(\\d+ attempts\\); last observed: not ready yet`));
    expect(phase7.detail.split(workerId as string)).toHaveLength(2);
    expect(phase7.hint).toMatch(/^it answered "not ready yet" until the end \(\d+ times\): if it is only slow to load, raise --ready-timeout/);
    noWorkerLeft(run.report);
  }, 120_000);

  it('a hive that never answers health: Phase 2 fails within --health-timeout, nothing spawned, the hive stopped', async () => {
    const hive = `${process.execPath} ${fixturePath('processes/silent-hive.mjs')} {port}`;
    const run = await runTask(['e2e', '--registry', registryIn(), '--hive-cmd', hive, '--health-timeout', '1.5']);
    expect(run.exitCode).toBe(1);
    expect(checkNamed(run.report, 'Phase 2: pool preflight')).toMatchObject({ verdict: 'fail', code: 'POOL_UNHEALTHY' });
    expect(checkNamed(run.report, 'Phase 2: pool preflight').detail).toMatch(/request timeout/);
    // The harness started this hive: the fix says it accepts connections but never answered, not "start the hive".
    const hint = checkNamed(run.report, 'Phase 2: pool preflight').hint as string;
    expect(hint).toMatch(/^the hive the harness started \(--hive-cmd\) accepts connections on port \d+ but never answered GET \/v1\/health within the 1\.50 s budget \(each request timed out after [\d.]+ m?s\): is it blocked, or not serving that route\? See its log: /);
    expect(hint).toContain(join(run.reportDir, 'logs', 'hive.log'));
    expect(run.output).not.toContain('start the hive on');
    expect(checkNamed(run.report, 'Phase 3-5: worker spawn')).toMatchObject({ verdict: 'skip', detail: 'not reached: Phase 2 failed' });
    expect(processesMatching(fixturePath('processes/silent-hive.mjs'))).toEqual([]);
  }, 60_000);

  it('--keeper-cmd: a keeper that fails and leaves its worker running is caught (seed: no cleanup after a failed run)', async () => {
    const keeper = `${process.execPath} ${fixturePath('processes/leaky-keeper.mjs')} {hiveUrl} {workerId} {model}`;
    const run = await runTask(['e2e', '--registry', registryIn(), '--keeper-cmd', keeper]);
    expect(run.exitCode).toBe(1);
    expect(verdicts(run.report)).toMatchObject({ 'Phase 1: worker registry': 'pass', 'Phase 3-5: worker spawn': 'pass', 'Phase 6: worker registration': 'fail', 'Phase 7: worker ready': 'skip', 'keeper exit': 'fail' });
    expect(checkNamed(run.report, 'teardown: no worker left')).toMatchObject({ verdict: 'fail', code: 'WORKER_LEFT_RUNNING' });
    noWorkerLeft(run.report); // the harness's hive still stopped it
  }, 120_000);
});
