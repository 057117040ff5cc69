import { describe, expect, it } from 'vitest';
import { processesMatching } from '../../tasks/lib/process/find-processes.ts';
import { startTaskProcess } from '../helpers/run-task-cli.ts';

// The watchdog runs in a session of its own (a kill of the harness's group must miss it); its
// command line names the harness's record file, <state dir>/groups/<harness pid>-<start>.jsonl.
const watchdogOf = (pid: number | undefined) => processesMatching(`/groups/${pid}-`).filter((found) => found.cmdline.includes('watchdog.mjs'));

describe("the harness's watchdog", () => {
  it('has exited by the time its harness has: a run that ends leaves no process behind, the watchdog included (a Slurm step once ended with it still running)', async () => {
    // A worker that exits after 1.5 s without listening: the run ends on its own, exit 1.
    const harness = startTaskProcess(['worker:test', '--worker-cmd', '/usr/bin/timeout 1.5 /bin/sleep {port}']);
    const deadline = performance.now() + 60_000;
    while (watchdogOf(harness.child.pid).length === 0) {
      if (performance.now() > deadline || harness.child.exitCode !== null) throw new Error(`no watchdog seen while the run went on:\n${harness.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(await harness.exited, harness.output()).toBe(1);
    expect(watchdogOf(harness.child.pid)).toEqual([]);
  });

  it('has exited by the time an interrupted harness has (Ctrl-C: exit 130)', async () => {
    const harness = startTaskProcess(['worker:test', '--worker-cmd', '/bin/sleep {port}']); // never listens
    const deadline = performance.now() + 60_000;
    while (watchdogOf(harness.child.pid).length === 0) {
      if (performance.now() > deadline || harness.child.exitCode !== null) throw new Error(`no watchdog seen while the run went on:\n${harness.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    harness.child.kill('SIGINT');
    expect(await harness.exited, harness.output()).toBe(130);
    expect(watchdogOf(harness.child.pid)).toEqual([]);
  });
});
