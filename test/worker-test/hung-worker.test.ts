/**
 * A worker that hangs after it became healthy (a real SIGSTOP, as `kill -STOP` leaves it): the
 * request in flight times out, named, with the process state the harness read; the checks that
 * follow are skipped with that reason instead of each waiting out --inference-timeout.
 */
import { describe, expect, it } from 'vitest';
import { processesMatching } from '../../tasks/lib/process/find-processes.ts';
import { checkNamed, runTask } from '../helpers/run-task-in-process.ts';

describe('a worker stopped (SIGSTOP) mid-stream', () => {
  it('fails the check in flight with the stopped state, skips the rest with that reason, and is torn down', async () => {
    const run = await runTask(['worker:test', '--worker-arg=--fault=hang-mid-stream', '--stream', 'sse', '--bench', '--bench-requests', '3', '--inference-timeout', '2', '--timeout', '120']);
    expect(run.exitCode, run.output).toBe(1);
    const inference = checkNamed(run.report, 'inference SSE POST /v1/inference');
    expect(inference.code).toBe('SSE_FAILED');
    expect(inference.detail).toMatch(/stream not finished within 2\.00 s after 2 event\(s\).*: the worker is stopped: pid \d+ \(\S+\) in state T \(SIGSTOP or SIGTSTP\), so it answers nothing until it gets SIGCONT$/);
    expect(inference.hint).toMatch(/^find what stopped it \(kill -STOP/);
    const states = (inference.evidence.hang as { processStates: { state: string }[] }).processStates;
    expect(states.some((p) => p.state === 'T')).toBe(true);
    const bench = checkNamed(run.report, 'benchmark');
    expect(bench.verdict).toBe('skip');
    expect(bench.detail).toMatch(/^the worker is stopped: pid \d+/);
    // Torn down although stopped (SIGTERM, SIGCONT): nothing of it is left.
    expect(checkNamed(run.report, 'teardown').verdict).toBe('pass');
    for (const id of run.report.settings.workerIds as string[]) expect(processesMatching(id)).toEqual([]);
  });

  it('a worker that runs but answers nothing (deadlocked): named by its silent health route, the rest skipped', async () => {
    const run = await runTask(['worker:test', '--worker-arg=--fault=deaf-mid-stream', '--stream', 'sse', '--bench', '--bench-requests', '3', '--inference-timeout', '2', '--grace', '1', '--timeout', '120']);
    expect(run.exitCode, run.output).toBe(1);
    const inference = checkNamed(run.report, 'inference SSE POST /v1/inference');
    expect(inference.code).toBe('SSE_FAILED');
    expect(inference.detail).toMatch(/: the worker is hung: it is running \((?:pid \d+ state [RSD], )*pid \d+ state [RSD]\) but GET \/v1\/health got no answer within 2\.00 s$/);
    expect(inference.hint).toMatch(/^the worker stopped answering even its health route/);
    expect((inference.evidence.hang as { healthProbe: { observedBy: string } }).healthProbe.observedBy).toBe('a health request after the timeout');
    const bench = checkNamed(run.report, 'benchmark');
    expect(bench.verdict).toBe('skip');
    expect(bench.detail).toMatch(/^the worker is hung: it is running/);
    expect(checkNamed(run.report, 'teardown').verdict).toBe('pass');
    for (const id of run.report.settings.workerIds as string[]) expect(processesMatching(id)).toEqual([]);
  });
});
