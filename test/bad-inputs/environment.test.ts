import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../tasks/runner/run-cli.ts';
import { TASKS } from '../../tasks/task-table.ts';
import { fixturePath, repoPath } from '../helpers/fixture-path.ts';
import { checkNamed, runTask } from '../helpers/run-task-in-process.ts';

// Bad-input catalogue (docs/bad-inputs.md), environment and model files: real worker:test runs
// against a real bad environment. Each row asserts the named error and exit 3, and that the
// summary (and the report, where it can be written) still comes out.
const scratch = (): string => mkdtempSync(join(tmpdir(), 'hivecheck-bad-env-'));
const okWorker = `${process.execPath} ${fixturePath('processes/bad-http-worker.mjs')} --port {port} --mode ok`;

/** A run whose --report directory the row prepares itself (runTask makes its own). */
async function runWithReport(args: readonly string[], reportDir: string): Promise<{ exitCode: number; output: string }> {
  let output = '';
  const sink = { write: (text: string) => (output += text), isTTY: false };
  const exitCode = await runCli([...args, '--report', reportDir], TASKS, { stdout: sink, stderr: sink, env: { ...process.env, CI: 'true' }, cwd: repoPath('') });
  return { exitCode, output };
}

async function withTakenPort<T>(body: (port: number) => Promise<T>): Promise<T> {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  try {
    return await body((blocker.address() as { port: number }).port);
  } finally {
    blocker.close();
  }
}

describe('bad model files: exit 3 before anything starts', () => {
  const dir = scratch();
  it.each<[string, () => string, string]>([
    ['M1 missing', () => join(dir, 'missing.gguf'), 'MODEL_NOT_FOUND'],
    ['M2 a directory', () => dir, 'MODEL_NOT_A_FILE'],
    ['M3 a FIFO (would block a reader forever)', () => {
      const path = join(dir, 'fifo.gguf');
      if (!existsSync(path)) execFifo(path);
      return path;
    }, 'MODEL_NOT_A_FILE'],
    ['M4 empty', () => (writeFileSync(join(dir, 'empty.gguf'), ''), join(dir, 'empty.gguf')), 'MODEL_INVALID'],
    ['M5 an HTML error page saved as .gguf', () => (writeFileSync(join(dir, 'page.gguf'), '<!DOCTYPE html><html>404</html>'), join(dir, 'page.gguf')), 'MODEL_INVALID'],
    ['M6 unreadable: a symlink loop (ELOOP; root reads any mode, so chmod cannot make it unreadable here)', () => {
      const a = join(dir, 'loop-a.gguf');
      if (!existsSync(join(dir, 'loop-b.gguf'))) {
        symlinkSync(join(dir, 'loop-b.gguf'), a);
        symlinkSync(a, join(dir, 'loop-b.gguf'));
      }
      return a;
    }, 'MODEL_NOT_READABLE'],
  ])('%s', async (_, path, code) => {
    const run = await runTask(['worker:test', '--model', path()]);
    expect(run.exitCode, run.output).toBe(3);
    const model = checkNamed(run.report, 'model file');
    expect(model.code).toBe(code);
    expect(run.report.checks.map((check) => check.name)).toEqual(['model file']); // nothing started
  });

  it('M7 unreadable: mode 000 (as root, run without the capabilities that let root read any file)', async () => {
    const path = join(dir, 'locked.gguf');
    writeFileSync(path, 'GGUF');
    chmodSync(path, 0o000);
    const reportDir = scratch();
    // Root reads any mode through CAP_DAC_OVERRIDE / CAP_DAC_READ_SEARCH: drop them (setpriv, util-linux).
    const asRoot = process.getuid?.() === 0;
    const argv = [process.execPath, '--import', 'tsx', 'tasks/main.ts', 'worker:test', '--model', path, '--report', reportDir];
    const dropCaps = ['setpriv', '--inh-caps=-dac_override,-dac_read_search', '--bounding-set=-dac_override,-dac_read_search'];
    const [program, ...args] = asRoot ? [...dropCaps, ...argv] : argv;
    const result = spawnSync(program as string, args, { cwd: repoPath(''), env: { ...process.env, CI: 'true' }, encoding: 'utf8', timeout: 60_000 });
    expect(result.error, 'setpriv (util-linux) is needed to run this row as root').toBeUndefined();
    expect(result.status, result.stdout + result.stderr).toBe(3);
    expect(result.stdout + result.stderr).toContain('MODEL_NOT_READABLE');
    const report = JSON.parse(readFileSync(join(reportDir, 'report.json'), 'utf8')) as { checks: { name: string; code?: string }[] };
    expect(report.checks.find((check) => check.name === 'model file')?.code).toBe('MODEL_NOT_READABLE');
  });
});

function execFifo(path: string): void {
  // mkfifo(1): node has no API for it.
  const result = spawnSync('mkfifo', [path]);
  if (result.status !== 0) throw new Error('mkfifo failed');
}

describe('bad environment: exit 3, named, report still written', () => {
  it('E1 --hive-port taken', async () => {
    await withTakenPort(async (port) => {
      const run = await runTask(['worker:test', '--hive-port', String(port)]);
      expect(run.exitCode, run.output).toBe(3);
      expect(checkNamed(run.report, 'ports free').code).toBe('PORT_IN_USE');
    });
  });

  it('E2 worker binary not executable', async () => {
    const bin = join(scratch(), 'llm-worker');
    writeFileSync(bin, '#!/bin/sh\nexit 0\n', { mode: 0o644 });
    const run = await runTask(['worker:test', '--worker-bin', bin]);
    expect(run.exitCode, run.output).toBe(3);
    expect(checkNamed(run.report, 'worker command').code).toBe('WORKER_BIN_NOT_EXECUTABLE');
  });

  it('E3 GPU backend whose engine build is not installed', async () => {
    const run = await runTask(['worker:test', '--backend', 'cuda']);
    expect(run.exitCode, run.output).toBe(3);
    expect(checkNamed(run.report, 'worker command').code).toBe('ENGINE_BUILD_MISSING');
  });

  it('E4 log directory not writable (--report under a regular file): named, before any process starts', async () => {
    const file = join(scratch(), 'not-a-dir');
    writeFileSync(file, 'x');
    const run = await runWithReport(['worker:test', '--profile', 'openai', '--worker-cmd', okWorker], join(file, 'report'));
    expect(run.exitCode, run.output).toBe(3);
    expect(run.output).toContain('[LOG_DIR_NOT_WRITABLE]');
    expect(run.output).toContain('[REPORT_WRITE_FAILED]');
    expect(run.output).toContain('📊 worker:test'); // the summary still printed
  });

  it('E5 disk full when writing the report (report.json is a link to /dev/full: ENOSPC)', async () => {
    const reportDir = scratch();
    symlinkSync('/dev/full', join(reportDir, 'report.json'));
    const run = await runWithReport(['worker:test', '--profile', 'openai', '--worker-cmd', okWorker], reportDir);
    expect(run.exitCode, run.output).toBe(3);
    expect(run.output).toContain('[REPORT_WRITE_FAILED]');
    expect(run.output).toContain('ENOSPC');
    expect(run.output).toContain('📊 worker:test: '); // the checks and summary are not lost
  });

  it('E6 disk full when writing a process log: the run goes on, the lines are kept in memory and the report', async () => {
    const reportDir = scratch();
    mkdirSync(join(reportDir, 'logs'));
    symlinkSync('/dev/full', join(reportDir, 'logs', 'worker.log'));
    const run = await runWithReport(['worker:test', '--profile', 'openai', '--worker-cmd', okWorker], reportDir);
    expect(run.exitCode, run.output).toBe(0);
    const report = JSON.parse(readFileSync(join(reportDir, 'report.json'), 'utf8')) as { logs: { name: string; tail: string[] }[] };
    const tail = report.logs.find((log) => log.name === 'worker')?.tail ?? [];
    expect(tail.join('\n')).toContain('could not write');
    expect(tail.join('\n')).toContain('ENOSPC');
    expect(tail.join('\n')).toContain('listening on'); // the worker's own line, kept
  });
});
