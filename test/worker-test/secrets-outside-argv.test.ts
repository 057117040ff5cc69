/**
 * A key given outside the command line (HIVECHECK_API_KEY, --api-key-file) reaches the worker and
 * every request, and appears nowhere; one given on the command line is warned about, and the run
 * record under the state dir stores the harness's argv with it masked.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { recordedArgv } from '../../tasks/lib/process/group-record.ts';
import { runCli } from '../../tasks/runner/run-cli.ts';
import { TASKS } from '../../tasks/task-table.ts';
import { repoPath } from '../helpers/fixture-path.ts';
import { startTaskProcess } from '../helpers/run-task-cli.ts';

const KEY = 'sk-outside-argv-7f3e9a1b2c';

async function run(args: string[], env: Record<string, string>, cwd = repoPath('')): Promise<{ exitCode: number; written: string }> {
  const reportDir = mkdtempSync(join(tmpdir(), 'hivecheck-test-'));
  let output = '';
  const sink = { write: (text: string) => (output += text), isTTY: false };
  const exitCode = await runCli([...args, '--report', reportDir], TASKS, { stdout: sink, stderr: sink, env: { ...process.env, CI: 'true', ...env }, cwd });
  const logs = join(reportDir, 'logs');
  const written = [output, ...['report.json', 'junit.xml', 'report.html'].map((file) => readFileSync(join(reportDir, file), 'utf8')), ...readdirSync(logs).map((file) => readFileSync(join(logs, file), 'utf8'))].join('\n');
  return { exitCode, written };
}

// The reference worker with a key is a key-protected server: every request must carry that key.
const KEYED = ['worker:test', '--profile', 'llama-server', '--stream', 'sse', '--timeout', '120'];

describe('secrets outside the command line', () => {
  it('HIVECHECK_API_KEY: the worker wants it, every request sends it, it is printed nowhere, no warning', async () => {
    const { exitCode, written } = await run(KEYED, { HIVECHECK_API_KEY: KEY });
    expect(exitCode, written).toBe(0);
    expect(written).toContain('API key required on every route but health'); // the worker got the key, and the requests sent it
    expect(written).not.toContain(KEY);
    expect(written).not.toContain('shows in npm\'s echo');
  });

  it('--api-key-file (relative to where the command ran): the same', async () => {
    const home = mkdtempSync(join(tmpdir(), 'hivecheck-key-'));
    writeFileSync(join(home, 'worker.key'), `${KEY}\n`);
    const { exitCode, written } = await run([...KEYED, '--api-key-file', 'worker.key'], {}, home);
    expect(exitCode, written).toBe(0);
    expect(written).toContain('API key required on every route but health');
    expect(written).not.toContain(KEY);
  });

  it('--api-key on the command line: works, and says how to keep it out of npm\'s echo and ps', async () => {
    const { exitCode, written } = await run([...KEYED, '--api-key', KEY], {});
    expect(exitCode, written).toBe(0);
    expect(written).toContain("--api-key on the command line shows in npm's echo of the command and in ps; export HIVECHECK_API_KEY or pass --api-key-file instead");
    expect(written).not.toContain(KEY);
  });
});

describe('the run record under the state dir', () => {
  it('masks secret values of the argv, plain words and words inside a quoted command included', () => {
    const argv = ['tasks/main.ts', 'worker:test', '--api-key', 'plainword', '--worker-cmd', 'srv --token abc123XYZ --port {port}', '--header', 'Authorization: Bearer zz-top-99', '--model', 'm.gguf'];
    const recorded = recordedArgv(argv, {}).join(' ');
    for (const secret of ['plainword', 'abc123XYZ', 'zz-top-99']) expect(recorded).not.toContain(secret);
    expect(recorded).toBe('tasks/main.ts worker:test --api-key [REDACTED] --worker-cmd srv --token [REDACTED] --port {port} --header Authorization: Bearer [REDACTED] --model m.gguf');
  });

  it('a running harness given --api-key keeps it out of its record file', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'hivecheck-state-'));
    const harness = startTaskProcess([...KEYED, '--api-key', KEY], { env: { HIVECHECK_STATE_DIR: stateDir } });
    try {
      await harness.waitFor(/Checking the worker/);
      const record = await vi.waitFor(() => {
        const [file] = readdirSync(stateDir).filter((name) => name.endsWith('.jsonl'));
        expect(file).toBeDefined();
        return readFileSync(join(stateDir, file as string), 'utf8');
      }, { timeout: 10_000, interval: 10 });
      expect(record).toContain('"op":"owner"');
      expect(record).toContain('"--api-key","[REDACTED]"');
      expect(record).not.toContain(KEY);
    } finally {
      harness.child.kill('SIGINT');
      await harness.exited;
    }
  });
});
