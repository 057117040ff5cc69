import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ReportJson } from '../../tasks/lib/report/run-report.ts';
import { startTaskProcess } from '../helpers/run-task-cli.ts';

// What a fleet node runs (tasks/fleet/node-step.ts), as srun starts it on node n1 (SLURMD_NODENAME),
// cancelled as the job starts: Slurm sends the step SIGTERM before the node's task has started
// anything (a Ctrl-C right after `srun: jobid …`).
describe('a fleet node cancelled while its harness starts', () => {
  it('still writes an interrupted report into <shared dir>/<node> and exits 143', async () => {
    const shared = mkdtempSync(join(tmpdir(), 'hivecheck-node-'));
    const node = startTaskProcess([shared, 'worker:test'], { entry: 'tasks/fleet/node-step.ts', env: { SLURMD_NODENAME: 'n1' } });
    await node.waitFor(/^hivecheck fleet node n1: worker:test --report /m);
    node.child.kill('SIGTERM');
    expect(await node.exited, node.output()).toBe(143);
    expect(existsSync(join(shared, 'n1', 'report.json')), node.output()).toBe(true);
    const report = JSON.parse(readFileSync(join(shared, 'n1', 'report.json'), 'utf8')) as ReportJson;
    expect([report.task, report.verdict, report.exitCode, report.interruptedBy]).toEqual(['worker:test', 'interrupted', 143, 'SIGTERM']);
    // It stopped before starting anything: no worker was started, so no check passed or failed.
    expect(report.checks.filter((check) => check.verdict === 'pass' || check.verdict === 'fail')).toEqual([]);
    expect(node.output()).toMatch(/worker:test interrupted \(exit 143\)/);
  });
});
