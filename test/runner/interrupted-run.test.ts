import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isPidAlive } from '../../tasks/lib/process/process-groups.ts';
import type { ReportJson } from '../../tasks/lib/report/run-report.ts';
import { fixturePath, repoPath } from '../helpers/fixture-path.ts';
import { startTaskProcess } from '../helpers/run-task-cli.ts';

describe('a task run interrupted with SIGINT while a check waits', () => {
  it('exits 130, marks that check interrupted (not failed), starts no other, and screen, report.json and junit.xml agree', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hivecheck-interrupt-'));
    const harness = startTaskProcess([dir], { entry: fixturePath('interruptible-task.ts') });
    const pid = Number((await harness.waitFor(/WAITING pid=(\d+)/))[1]);
    harness.child.kill('SIGINT');
    expect(await harness.exited).toBe(130);
    const stdout = harness.output();
    expect(isPidAlive(pid)).toBe(false);

    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as ReportJson;
    const junit = readFileSync(join(dir, 'junit.xml'), 'utf8');
    expect(report.verdict).toBe('interrupted');
    expect(report.interruptedBy).toBe('SIGINT');
    expect(report.checks.map((check) => `${check.name}=${check.verdict}`)).toEqual(['process started=pass', 'process becomes ready=interrupted']);
    expect([...junit.matchAll(/<testcase [^>]*name="([^"]+)"/g)].map((match) => match[1])).toEqual(['process started', 'process becomes ready']);
    expect(stdout).toMatch(/⛔ process becomes ready: cut short by SIGINT/);
    expect(stdout).not.toContain('never starts');
    expect(junit).not.toContain('never starts');
  });
});

describe('a task run cancelled by a scheduler: the subject gets SIGTERM a moment before the harness', () => {
  it('the SIGTERM that arrives while the report is written still leaves an interrupted report (exit 143), and the death it caused is not a failure', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hivecheck-cancelled-'));
    const harness = spawn(process.execPath, ['--import', 'tsx', fixturePath('scheduler-cancelled-task.ts'), dir], { cwd: repoPath(''), env: { ...process.env, CI: 'true' }, stdio: ['pipe', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => harness.once('exit', (code) => resolve(code)));
    let output = '';
    const seen = (pattern: RegExp): Promise<RegExpMatchArray> =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          const match = output.match(pattern);
          if (match) resolve(match);
        };
        harness.stdout.on('data', check);
        harness.stderr.on('data', check);
        check();
        void exited.then((code) => reject(new Error(`harness exited (${code}) before printing ${pattern}:\n${output}`)));
      });
    for (const stream of [harness.stdout, harness.stderr]) stream.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const pgid = Number((await seen(/SUBJECT pgid=(\d+)/))[1]);
    // Slurm's order: the job's deepest processes first, the harness last.
    process.kill(-pgid, 'SIGTERM');
    await seen(/^WRITING$/m);
    harness.kill('SIGTERM');
    harness.stdin.end('\n');
    expect(await exited, output).toBe(143);

    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as ReportJson;
    expect([report.verdict, report.exitCode, report.interruptedBy]).toEqual(['interrupted', 143, 'SIGTERM']);
    const check = report.checks.find((found) => found.name === 'subject stays up');
    expect(check?.verdict, JSON.stringify(check)).toBe('interrupted');
    expect(check?.detail).toMatch(/^cut short by SIGTERM: subject was killed by SIGTERM /);
    expect(check?.evidence.sawWhenInterrupted).toMatchObject({ code: 'PROCESS_EXITED', message: expect.stringMatching(/^subject was killed by SIGTERM while waiting for the subject to exit/) });
    expect(readFileSync(join(dir, 'junit.xml'), 'utf8')).not.toContain('<failure');
    expect(output).toMatch(/received SIGTERM while the report was being written: written again as interrupted/);
  });
});

describe('a second Ctrl-C', () => {
  it('means stop now: the harness does not wait out the grace of a process that ignores SIGTERM, kills it and exits 130', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hivecheck-twice-'));
    // A 60 s grace: after one Ctrl-C the harness would wait that long before its SIGKILL.
    const harness = startTaskProcess([dir, '60000'], { entry: fixturePath('interruptible-task.ts') });
    const pid = Number((await harness.waitFor(/WAITING pid=(\d+)/))[1]);
    harness.child.kill('SIGINT');
    await harness.waitFor(/received SIGINT; stopping stubborn/);
    const second = performance.now();
    harness.child.kill('SIGINT');
    expect(await harness.exited, harness.output()).toBe(130);
    // Well inside the 60 s grace (a busy machine takes a few seconds at most to exit).
    expect(performance.now() - second).toBeLessThan(30_000);
    // SIGKILLed on the way out; a loaded machine may take a moment to schedule its death.
    const gone = performance.now() + 5000;
    while (isPidAlive(pid) && performance.now() < gone) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(isPidAlive(pid), `pid ${pid} survived`).toBe(false);
  });
});
