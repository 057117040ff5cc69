import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isPidAlive } from '../../tasks/lib/process/process-groups.ts';
import type { ReportJson } from '../../tasks/lib/report/run-report.ts';
import { startTaskProcess } from '../helpers/run-task-cli.ts';

describe('status-protocol:test interrupted with SIGINT during a load', () => {
  it('exits 130; the cold start is interrupted (not a crash), no check starts after it, and screen, report.json and junit.xml agree', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hivecheck-status-interrupt-'));
    // A real run of the task as a user starts it (minus npm), loading for 10 s: Ctrl-C comes mid-load.
    const harness = startTaskProcess(['status-protocol:test', '--load-seconds', '10', '--update-interval', '0.5', '--report', dir]);
    await harness.waitFor(/cold-start: \[loading\] Loading policy alpha\.\.\. \(\d+\.\ds elapsed\)/); // a second loading frame (whenever it comes on a busy machine): the server is mid-load
    const screen = (): string => harness.output();
    const serverPid = Number(/policy-server: \S+ up in .* \(pid (\d+)\)/.exec(screen())?.[1]);
    harness.child.kill('SIGINT');
    expect(await harness.exited).toBe(130);
    expect(isPidAlive(serverPid)).toBe(false);

    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as ReportJson;
    const junit = readFileSync(join(dir, 'junit.xml'), 'utf8');
    const listed = report.checks.map((check) => `${check.name}=${check.verdict}`);
    expect(listed).toEqual(['model listing=pass', 'cold start=interrupted']);
    expect(report).toMatchObject({ verdict: 'interrupted', interruptedBy: 'SIGINT' });
    expect(report.error).toBeUndefined();
    const cold = report.checks[1];
    expect(cold?.evidence.sawWhenInterrupted).toMatchObject({ code: 'SESSION_ABORTED' });
    expect(JSON.stringify(report.checks)).not.toMatch(/crash|1006|CONNECT_FAILED/);
    expect([...junit.matchAll(/<testcase [^>]*name="([^"]+)"/g)].map((match) => match[1])).toEqual(['model listing', 'cold start']);
    expect(junit).not.toContain('<failure');
    // The screen: the same two checks, as they ended and in the summary; nothing else ran.
    expect(screen()).toMatch(/✅ model listing/);
    expect(screen()).toMatch(/⛔ cold start: cut short by SIGINT/);
    for (const never of ['unknown model', 'crash during loading', 'warm connection', 'crashed']) expect(screen()).not.toContain(never);
  });
});
