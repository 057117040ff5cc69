/**
 * What the summary says when the run is cut short (Ctrl-C: the teardown line and the checks that
 * never ran) and when the worker is SIGKILLed from outside (said so; an unrelated last log line
 * is not quoted as the cause).
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { v4 as uuidv4 } from 'uuid';
import { describe, expect, it } from 'vitest';
import { runsProgram } from '../../tasks/lib/process/node-program.ts';
import { processesMatching } from '../../tasks/lib/process/find-processes.ts';
import { exitHint } from '../../tasks/lib/process/process-guard.ts';
import type { ReportJson } from '../../tasks/lib/report/run-report.ts';
import { runCli } from '../../tasks/runner/run-cli.ts';
import { TASKS } from '../../tasks/task-table.ts';
import { repoPath } from '../helpers/fixture-path.ts';
import { startTaskProcess } from '../helpers/run-task-cli.ts';

/** Polls (10 ms) until `ready()` or the deadline. */
async function until(ready: () => boolean, what: string, timeoutMs = 180_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!ready()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('exitHint', () => {
  it('a signal the harness did not send: killed from outside; an unrelated last line is not quoted', () => {
    const hint = exitHint(['[INFO] Worker ready', 'n_past was set to 25'], { signal: 'SIGKILL', code: null });
    expect(hint).toBe('it was killed by SIGKILL from outside the harness (the harness had not stopped it): nothing in its last log lines speaks of it; look for who sends SIGKILL (the kernel\'s OOM killer: dmesg; a supervisor or a script running kill)');
    expect(hint).not.toContain('n_past');
  });

  it('a log line that speaks of the death is quoted', () => {
    expect(exitHint(['GGML_ASSERT failed', 'Aborted (core dumped)', 'n_past was set to 25'], { signal: 'SIGABRT', code: null })).toBe('it was killed by SIGABRT from outside the harness (the harness had not stopped it); its log says: "Aborted (core dumped)" (more in its log below)');
  });

  it('a death word inside an id (a worker named outside-kill-…) does not make a line speak of the death', () => {
    const hint = exitHint(['[INFO] Job outside-kill-c6c2c81f-job-001 (stream): 32 tokens in 43 ms (length)'], { signal: 'SIGKILL', code: null });
    expect(hint).toMatch(/nothing in its last log lines speaks of it/);
    expect(exitHint(['worker-7: received SIGKILL'], { signal: 'SIGKILL', code: null })).toContain('its log says: "worker-7: received SIGKILL"');
    // A JSON log line has few spaces: the ids are cut out of it, the words around them stay.
    const json = JSON.stringify({ t: '2026-12-07T16:35:01.123Z', event: 'behaviour', detail: 'SIGKILL to the server itself at step 40' });
    expect(exitHint([json], { signal: 'SIGKILL', code: null })).toContain('SIGKILL to the server itself at step 40');
  });

  it('an exit code: its last line says why, as before', () => {
    expect(exitHint(['error: model not found'], { signal: null, code: 1 })).toBe('fix what its log says; its last line: "error: model not found" (more in its log below)');
  });
});

describe('a worker SIGKILLed from outside mid-stream', () => {
  it('is named as killed from outside, without quoting its unrelated last log line', async () => {
    const workerId = `outside-kill-${uuidv4()}`;
    const dir = mkdtempSync(join(tmpdir(), 'hivecheck-outside-'));
    let output = '';
    const sink = { write: (text: string) => (output += text), isTTY: false };
    const run = runCli(['worker:test', '--worker-id', workerId, '--stream', 'sse', '--timeout', '120', '--inference-timeout', '120', '--worker-arg=--fault=stall-stream', '--report', dir], TASKS, { stdout: sink, stderr: sink, env: { ...process.env, CI: 'true' }, cwd: repoPath('') });
    const log = join(dir, 'logs', 'worker.log');
    await until(() => existsSync(log) && readFileSync(log, 'utf8').includes('fault injected (stall-stream)'), 'the stream to stall');
    const [worker] = processesMatching(workerId).filter((found) => runsProgram('reference-worker', found.cmdline));
    process.kill((worker as { pid: number }).pid, 'SIGKILL');
    expect(await run, output).toBe(1);
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as ReportJson;
    const inference = report.checks.find((check) => check.name === 'inference SSE POST /v1/inference');
    expect(inference?.code).toBe('PROCESS_EXITED');
    expect(inference?.hint).toMatch(/^it was killed by SIGKILL from outside the harness \(the harness had not stopped it\): nothing in its last log lines speaks of it/);
    expect(inference?.hint).not.toContain('stall-stream');
    expect(processesMatching(workerId)).toEqual([]);
  });
});

describe('Ctrl-C while the worker loads', () => {
  it('the summary has the teardown line and lists the checks that never ran', async () => {
    const workerId = `sigint-summary-${uuidv4()}`;
    const reportDir = mkdtempSync(join(tmpdir(), 'hivecheck-sigint-'));
    const harness = startTaskProcess(['worker:test', '--worker-id', workerId, '--stream', 'sse', '--bench', '--report', reportDir, '--worker-arg=--load-delay-ms=20000']);
    await harness.waitFor(new RegExp(`Heartbeat #1 from worker: ${workerId}`));
    harness.child.kill('SIGINT');
    expect(await harness.exited, harness.output()).toBe(130);
    const report = JSON.parse(readFileSync(join(reportDir, 'report.json'), 'utf8')) as ReportJson;
    const verdicts = Object.fromEntries(report.checks.map((check) => [check.name, `${check.verdict}: ${check.detail}`]));
    expect(verdicts.health).toMatch(/^interrupted: cut short by SIGINT/);
    for (const name of ['ready', 'heartbeats', 'heartbeat states', 'heartbeat interval', 'inference SSE POST /v1/inference', 'benchmark']) {
      expect(verdicts[name], name).toBe('skip: not run: the run was interrupted by SIGINT first');
    }
    expect(verdicts.teardown).toMatch(/^pass: SIGTERM → (exited with code 0|ended by SIGTERM) in [\d.]+ m?s; no process of its group left$/);
    expect(harness.output()).toMatch(/✅ teardown: SIGTERM → /);
    expect(harness.output()).toContain('⏭️  benchmark: not run: the run was interrupted by SIGINT first');
    expect(processesMatching(workerId)).toEqual([]);
  });
});
