import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isPidAlive } from '../../tasks/lib/process/process-groups.ts';
import type { ReportJson } from '../../tasks/lib/report/run-report.ts';
import { fixturePath } from '../helpers/fixture-path.ts';
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
