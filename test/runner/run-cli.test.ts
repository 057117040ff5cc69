import { createServer, type AddressInfo } from 'node:net';
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

  it('an unknown task is one line and where the list is, and exits 2', async () => {
    const run = await runTaskCli(['no-such-task']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toBe("error: [UNKNOWN_TASK] unknown task 'no-such-task'\nnpm run task -- help lists the tasks\n");
  });

  it('a typo in a task name gets a "did you mean"', async () => {
    const run = await runTaskCli(['worker:tset']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("unknown task 'worker:tset' (did you mean worker:test?)");
    expect(run.stderr.split('\n').filter(Boolean)).toHaveLength(2);
  });

  it('a typo in a flag gets a "did you mean" and one line, not the whole help', async () => {
    const run = await runTaskCli(['worker:test', '--worker-cmdd', 'x']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("[UNKNOWN_FLAG] Unknown option '--worker-cmdd' for worker:test (did you mean --worker-cmd?)");
    expect(run.stderr).toContain('npm run task -- worker:test --help lists its flags');
    expect(run.stderr.split('\n').filter(Boolean)).toHaveLength(2);
  });

  it('mock-hive on a taken port names its own flag, --port', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const port = (taken.address() as AddressInfo).port;
      const run = await runTaskCli(['mock-hive', '--port', String(port)]);
      expect(run.exitCode).toBe(3);
      expect(run.stderr).toContain('[PORT_IN_USE]');
      expect(run.stderr).toContain('pick another --port or omit it');
    } finally {
      taken.close();
    }
  });

  it('services take no report flags: mock-hive --json is an unknown flag', async () => {
    const run = await runTaskCli(['mock-hive', '--json']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("Unknown option '--json' for mock-hive");
  });

  it('no task at all is a usage error', async () => {
    const run = await runTaskCli([]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('error: [NO_TASK] no task given');
  });
});
