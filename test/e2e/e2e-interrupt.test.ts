import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { v4 as uuidv4 } from 'uuid';
import { describe, expect, it } from 'vitest';
import { processesMatching } from '../../tasks/lib/process/find-processes.ts';
import { readWorkersWithPythonSqlite } from '../helpers/python-sqlite.ts';
import { startTaskProcess } from '../helpers/run-task-cli.ts';

describe('Ctrl-C during e2e', () => {
  it('while Phase 7 waits: the hive\'s worker is stopped, the interrupted report is written, exit 130', async () => {
    const workerId = `e2e-sigint-${uuidv4()}`;
    const dir = mkdtempSync(join(tmpdir(), 'hivecheck-e2e-sigint-'));
    const registry = join(dir, 'workers.db');
    // A worker that loads slowly, so Phase 7 is surely waiting when the signal comes.
    const harness = startTaskProcess(['e2e', '--worker-id', workerId, '--registry', registry, '--report', join(dir, 'report'), '--worker-arg=--load-delay-ms=30000']);
    await harness.waitFor(/^\[Phase 6\] ✓/m);
    expect(processesMatching(workerId).length).toBeGreaterThan(0);

    harness.child.kill('SIGINT');
    expect(await harness.exited).toBe(130);
    expect(processesMatching(workerId)).toEqual([]);
    const report = JSON.parse(readFileSync(join(dir, 'report', 'report.json'), 'utf8')) as { interrupted: boolean; checks: Array<{ name: string; verdict: string }> };
    expect(report.interrupted).toBe(true);
    expect(report.checks.find((check) => check.name === 'Phase 6: worker registration')?.verdict).toBe('pass');
    // The phase line shows the same mark as the summary: interrupted, not failed.
    expect(harness.output()).toMatch(/^\[Phase 7\] ⛔ worker ready: cut short by SIGINT/m);
    expect(harness.output()).not.toMatch(/^\[Phase 7\] ✗/m);
    // The row was written in Phase 6 and stays in the file, updated as a failed run's teardown does.
    expect(readWorkersWithPythonSqlite(registry).map((row) => [row.worker_id, row.state])).toEqual([[workerId, 'Stopped']]);
  }, 120_000);
});
