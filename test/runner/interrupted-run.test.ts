import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isPidAlive } from '../../tasks/lib/process/process-groups.ts';
import type { ReportJson } from '../../tasks/lib/report/run-report.ts';
import { fixturePath, repoPath } from '../helpers/fixture-path.ts';

describe('a task run interrupted with SIGINT while a check waits', () => {
  it('exits 130, marks that check interrupted (not failed), starts no other, and screen, report.json and junit.xml agree', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hivecheck-interrupt-'));
    const harness = spawn(process.execPath, ['--import', 'tsx', fixturePath('interruptible-task.ts'), dir], { cwd: repoPath(''), stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: 'true' } });
    let stdout = '';
    let stderr = '';
    harness.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => harness.once('exit', (code) => resolve(code)));
    const pid = await new Promise<number>((resolve, reject) => {
      harness.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const match = stderr.match(/WAITING pid=(\d+)/);
        if (match) resolve(Number(match[1]));
      });
      void exited.then((code) => reject(new Error(`harness exited early with ${code}: ${stderr}`)));
    });
    harness.kill('SIGINT');
    expect(await exited).toBe(130);
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
