import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HarnessError } from '../../tasks/lib/errors/harness-error.ts';
import { ProcessGuard } from '../../tasks/lib/process/process-guard.ts';
import { isPidAlive, liveGroupMembers } from '../../tasks/lib/process/process-groups.ts';
import { fixturePath } from '../helpers/fixture-path.ts';

const node = process.execPath;

describe('ProcessGuard', () => {
  it('SIGKILLs a process that ignores SIGTERM once the grace is over', async () => {
    const guard = await ProcessGuard.start({ name: 'stubborn', command: node, args: [fixturePath('processes/ignore-sigterm.mjs')], graceMs: 300 });
    await guard.waitForLine(/ignoring SIGTERM/, { timeoutMs: 10_000 });
    const report = await guard.stop();
    expect(report.signal).toBe('SIGKILL');
    expect(report.durationMs).toBeGreaterThanOrEqual(300);
    expect(report.exit?.signal).toBe('SIGKILL');
    expect(guard.tail()).toContain('got SIGTERM, ignoring it');
    expect(isPidAlive(guard.pid)).toBe(false);
  });

  it('stops a well-behaved process with SIGTERM alone', async () => {
    const guard = await ProcessGuard.start({ name: 'idle', command: node, args: ['-e', "console.log('up'); setInterval(() => {}, 1000)"] });
    await guard.waitForLine(/^up$/, { timeoutMs: 10_000 });
    const report = await guard.stop();
    expect(report.signal).toBe('SIGTERM');
    expect(report.exit?.signal).toBe('SIGTERM');
  });

  it('stops a SIGSTOPped (hung) process with SIGTERM, not after the whole grace with SIGKILL', async () => {
    const guard = await ProcessGuard.start({ name: 'hung', command: node, args: ['-e', "console.log('up'); setInterval(() => {}, 1000)"], graceMs: 30_000 });
    await guard.waitForLine(/^up$/, { timeoutMs: 10_000 });
    process.kill(guard.pid, 'SIGSTOP');
    const report = await guard.stop();
    expect(report.signal).toBe('SIGTERM');
    expect(report.exit?.signal).toBe('SIGTERM');
    expect(report.survivors).toEqual([]);
  });

  it('leaves no grandchild alive after teardown', async () => {
    const guard = await ProcessGuard.start({ name: 'forking', command: node, args: [fixturePath('processes/forks-grandchild.mjs')], graceMs: 300 });
    const line = await guard.waitForLine(/^\{.*\}$/, { timeoutMs: 10_000 });
    await guard.waitForLine(/grandchild up/, { timeoutMs: 10_000 });
    const pids = JSON.parse(line[0]) as { child: number; grandchild: number };
    expect(isPidAlive(pids.grandchild)).toBe(true);
    const report = await guard.stop();
    expect(report.survivors).toEqual([]);
    expect(isPidAlive(pids.child)).toBe(false);
    expect(isPidAlive(pids.grandchild)).toBe(false);
    expect(liveGroupMembers(guard.pid)).toEqual([]);
  });

  it('tears down through `await using` when the body throws', async () => {
    let pid = 0;
    await expect(
      (async () => {
        await using guard = await ProcessGuard.start({ name: 'scoped', command: node, args: ['-e', "console.log('up'); setInterval(() => {}, 1000)"] });
        pid = guard.pid;
        await guard.waitForLine(/^up$/, { timeoutMs: 10_000 });
        throw new Error('the check failed');
      })(),
    ).rejects.toThrow('the check failed');
    expect(pid).toBeGreaterThan(0);
    expect(isPidAlive(pid)).toBe(false);
  });

  it('keeps a bounded, redacted tail and writes the same lines to its log file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hivecheck-guard-'));
    const logFile = join(dir, 'printer.log');
    await using guard = await ProcessGuard.start({ name: 'printer', command: node, args: [fixturePath('processes/print-lines.mjs'), '500'], ringLines: 50, logFile });
    await guard.waitForLine(/^done$/, { timeoutMs: 10_000 });
    const tail = guard.tail(50);
    expect(tail).toHaveLength(50);
    expect(tail.at(-1)).toBe('done');
    expect(tail.join('\n')).not.toContain('sk-test-123456');
    await guard.stop();
    const logged = readFileSync(logFile, 'utf8').trimEnd().split('\n');
    expect(logged).toHaveLength(502);
    expect(logged[0]).toBe('line 1');
    expect(logged.join('\n')).not.toContain('sk-test-123456');
    expect(logged).toContain('Authorization: [REDACTED] sent to hive');
  });

  it('fails a line wait at once when the process exits, quoting its last lines', async () => {
    await using guard = await ProcessGuard.start({ name: 'worker', command: node, args: [fixturePath('processes/exit-early.mjs'), '3'] });
    const started = performance.now();
    const error = await guard.waitForLine(/never printed/, { timeoutMs: 20_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HarnessError);
    expect((error as HarnessError).code).toBe('PROCESS_EXITED');
    expect((error as HarnessError).message).toContain('exited with code 3');
    expect((error as HarnessError).evidence.logTail).toContain('error: failed to open model file: No such file or directory');
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('reports a command that does not exist as an environment error', async () => {
    const error = await ProcessGuard.start({ name: 'ghost', command: '/nonexistent/worker-bin' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HarnessError);
    expect((error as HarnessError).code).toBe('SPAWN_FAILED');
    expect((error as HarnessError).exitCode).toBe(3);
  });
});
