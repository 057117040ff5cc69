/**
 * Two runs given one --report folder: the second is refused (REPORT_DIR_IN_USE, exit 3) before it
 * writes anything, so report.json and logs/ describe one run; a lock left by a dead run is taken over.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { REPORT_LOCK_FILE } from '../../tasks/lib/report/report-dir-lock.ts';
import type { ReportJson } from '../../tasks/lib/report/run-report.ts';
import { runCli } from '../../tasks/runner/run-cli.ts';
import { TASKS } from '../../tasks/task-table.ts';
import { repoPath } from '../helpers/fixture-path.ts';

function start(args: string[]): { exited: Promise<number>; output: () => string } {
  let output = '';
  const sink = { write: (text: string) => (output += text), isTTY: false };
  const exited = runCli(args, TASKS, { stdout: sink, stderr: sink, env: { ...process.env, CI: 'true' }, cwd: repoPath('') });
  return { exited, output: () => output };
}

const WORKER = ['worker:test', '--profile', 'llama-server', '--stream', 'sse', '--timeout', '120'];

describe('--report folder shared by two runs', () => {
  it('refuses the second while the first runs; the first\'s report and logs are its own', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hivecheck-shared-'));
    const first = start([...WORKER, '--report', dir]);
    await vi.waitFor(() => expect(existsSync(join(dir, REPORT_LOCK_FILE))).toBe(true), { timeout: 10_000, interval: 10 });
    const second = start([...WORKER, '--report', dir]);
    expect(await second.exited, second.output()).toBe(3);
    expect(second.output()).toMatch(new RegExp(`^error: \\[REPORT_DIR_IN_USE\\] --report ${dir} is being written by another run \\(worker:test, pid ${process.pid}, started .*\\): two runs in one folder would leave one run's report.json and logs mixing both \\(fix: give each run its own --report folder`, 'm'));
    expect(second.output()).not.toContain('Starting worker');
    expect(await first.exited, first.output()).toBe(0);
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as ReportJson;
    const [id] = report.settings.workerIds as string[];
    expect(first.output()).toContain(id);
    // One worker's log: the second run started none.
    expect(readFileSync(join(dir, 'logs', 'worker.log'), 'utf8').match(/^listening on /gm)).toHaveLength(1);
    expect(existsSync(join(dir, REPORT_LOCK_FILE)), 'released at the end').toBe(false);
  });

  it('takes over a lock left by a run that no longer runs (SIGKILL)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hivecheck-stale-'));
    writeFileSync(join(dir, REPORT_LOCK_FILE), JSON.stringify({ pid: 2 ** 22 + 7, startTime: '1', runId: 'dead', task: 'worker:test', at: '2026-01-01T00:00:00Z' }));
    const run = start(['preflight', '--report', dir]);
    const code = await run.exited;
    expect(run.output()).not.toContain('REPORT_DIR_IN_USE');
    expect([0, 3]).toContain(code); // preflight's own verdict on this machine; the folder was taken
    expect(existsSync(join(dir, 'report.json'))).toBe(true);
    expect(existsSync(join(dir, REPORT_LOCK_FILE))).toBe(false);
  });
});
