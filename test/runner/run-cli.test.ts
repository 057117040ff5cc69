import { describe, expect, it } from 'vitest';
import { runTaskCli } from '../helpers/run-task-cli.ts';

describe('npm run task', () => {
  it('`help` lists every task with one line each and exits 0', async () => {
    const run = await runTaskCli(['help']);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('Usage: npm run task -- <task> [flags]');
    expect(run.stdout).toMatch(/^ {2}help +list the tasks/m);
    expect(run.stdout).toContain('Exit codes: 0 all checks passed, 1 a check failed, 2 usage/config error, 3 environment/preflight error');
  });

  it('an unknown task prints the task list and exits 2', async () => {
    const run = await runTaskCli(['no-such-task']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("error: [UNKNOWN_TASK] unknown task 'no-such-task'");
    expect(run.stderr).toContain('Tasks:');
  });

  it('no task at all is a usage error', async () => {
    const run = await runTaskCli([]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('error: [NO_TASK] no task given');
  });
});
