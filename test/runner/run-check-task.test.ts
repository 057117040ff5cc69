import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HarnessError } from '../../tasks/lib/errors/harness-error.ts';
import { waitFor } from '../../tasks/lib/wait-strategies/wait-for.ts';
import { isPidAlive } from '../../tasks/lib/process/process-groups.ts';
import { runCli, type CliIo } from '../../tasks/runner/run-cli.ts';
import type { TaskDefinition } from '../../tasks/runner/task-definition.ts';
import { fixturePath } from '../helpers/fixture-path.ts';

function captureIo(cwd: string): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (text: string) => (out += text), isTTY: false },
    stderr: { write: (text: string) => (err += text), isTTY: false },
    env: { CI: 'true' },
    cwd,
    out: () => out,
    err: () => err,
  };
}

const pids: number[] = [];

/** A small real task: starts a process that fails, and checks it two ways. */
const demo: TaskDefinition = {
  name: 'demo:test',
  summary: 'a demo task',
  description: 'Starts a process and judges it.',
  flags: [{ name: 'exit-code', type: 'number', integer: true, default: 1, description: 'what the process exits with' }],
  async run(context, flags) {
    const guard = await context.start({ name: 'worker', command: process.execPath, args: [fixturePath('processes/exit-early.mjs'), String(flags.number('exit-code')), '200'] });
    pids.push(guard.pid);
    await context.report.check('process printed its banner', async () => {
      await guard.waitForLine(/loading model/, { timeoutMs: 5000 });
      return 'saw "loading model"';
    });
    await context.report.check('process becomes healthy', async () => {
      await waitFor(async () => ({ ready: false, observed: 'connection refused' }), { description: 'the worker to become healthy', timeoutMs: 10_000, failFastOn: [guard] });
    });
  },
};

const broken: TaskDefinition = {
  name: 'broken:test',
  summary: 'fails on its environment',
  description: 'Needs a model that is not there.',
  flags: [],
  async run(context) {
    await context.report.check('model file', async () => {
      throw new HarnessError('MODEL_NOT_FOUND', 'model file /nope.gguf does not exist', { kind: 'environment', hint: 'pass --model <path>' });
    });
  },
};

describe('running a check task', () => {
  it('records checks, prints a summary with the log tail, writes report.json and junit.xml, exits 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hivecheck-run-'));
    const io = captureIo(dir);
    const code = await runCli(['demo:test', '--report', 'out'], [demo], io);
    expect(code).toBe(1);
    const report = JSON.parse(readFileSync(join(dir, 'out', 'report.json'), 'utf8'));
    expect(report.verdict).toBe('fail');
    expect(report.exitCode).toBe(1);
    expect(report.checks.map((c: { name: string; verdict: string }) => [c.name, c.verdict])).toEqual([
      ['process printed its banner', 'pass'],
      ['process becomes healthy', 'fail'],
    ]);
    expect(report.checks[1].code).toBe('PROCESS_EXITED');
    expect(report.logs[0].name).toBe('worker');
    expect(report.logs[0].tail).toContain('error: failed to open model file: No such file or directory');
    expect(readFileSync(join(dir, 'out', 'logs', 'worker.log'), 'utf8')).toContain('loading model');
    const junit = readFileSync(join(dir, 'out', 'junit.xml'), 'utf8');
    expect(junit).toContain('<testcase classname="hivecheck.demo:test" name="process becomes healthy"');
    expect(junit).toContain('<failure type="PROCESS_EXITED"');
    expect(io.out()).toContain('❌ process becomes healthy: [PROCESS_EXITED] worker exited with code 1 while waiting for the worker to become healthy');
    expect(io.out()).toContain('📋 worker (last 2 lines');
    expect(io.out()).toContain('❌ demo:test failed (exit 1)');
    for (const pid of pids) expect(isPidAlive(pid)).toBe(false);
  });

  it('--json prints the report on stdout and keeps progress on stderr', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hivecheck-run-'));
    const io = captureIo(dir);
    const code = await runCli(['demo:test', '--json', '--exit-code', '4'], [demo], io);
    expect(code).toBe(1);
    const report = JSON.parse(io.out());
    expect(report.task).toBe('demo:test');
    expect(report.checks[1].detail).toContain('exited with code 4');
    expect(io.err()).toContain('❌ demo:test failed (exit 1)');
  });

  it('an environment failure exits 3 and still writes the report', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hivecheck-run-'));
    const io = captureIo(dir);
    const code = await runCli(['broken:test', '--report', dir], [broken], io);
    expect(code).toBe(3);
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
    expect(report.error.code).toBe('MODEL_NOT_FOUND');
    expect(io.out()).toContain('fix: pass --model <path>');
  });

  it('an unknown flag is one line naming where the flags are listed, and exits 2', async () => {
    const io = captureIo(tmpdir());
    const code = await runCli(['demo:test', '--bogus'], [demo], io);
    expect(code).toBe(2);
    expect(io.err()).toContain("error: [UNKNOWN_FLAG] Unknown option '--bogus'");
    expect(io.err()).toContain('npm run task -- demo:test --help lists its flags');
  });

  it('a bad flag value is a usage error naming the flag', async () => {
    const io = captureIo(tmpdir());
    const code = await runCli(['demo:test', '--exit-code', 'many'], [demo], io);
    expect(code).toBe(2);
    expect(io.err()).toContain("--exit-code expects a number, got 'many'");
  });

  it('<task> --help documents every flag with its default', async () => {
    const io = captureIo(tmpdir());
    const code = await runCli(['demo:test', '--help'], [demo], io);
    expect(code).toBe(0);
    expect(io.out()).toMatch(/--exit-code <n> +what the process exits with \(default: 1\)/);
    expect(io.out()).toMatch(/--report <dir> +write report\.json, junit\.xml and report\.html/);
  });
});
