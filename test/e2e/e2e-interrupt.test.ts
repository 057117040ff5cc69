import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { v4 as uuidv4 } from 'uuid';
import { describe, expect, it } from 'vitest';
import { processesMatching } from '../../tasks/lib/process/find-processes.ts';
import { repoPath } from '../helpers/fixture-path.ts';
import { readWorkersWithPythonSqlite } from '../helpers/python-sqlite.ts';

describe('Ctrl-C during e2e', () => {
  it('while Phase 7 waits: the hive\'s worker is stopped, the interrupted report is written, exit 130', async () => {
    const workerId = `e2e-sigint-${uuidv4()}`;
    const dir = mkdtempSync(join(tmpdir(), 'hivecheck-e2e-sigint-'));
    const registry = join(dir, 'workers.db');
    // A worker that loads slowly, so Phase 7 is surely waiting when the signal comes.
    const harness = spawn(process.execPath, ['--import', 'tsx', 'tasks/main.ts', 'e2e', '--worker-id', workerId, '--registry', registry, '--report', join(dir, 'report'), '--worker-arg=--load-delay-ms=30000'], {
      cwd: repoPath(''),
      env: { ...process.env, CI: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => harness.once('exit', (code) => resolve(code)));
    let output = '';
    harness.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await new Promise<void>((resolve, reject) => {
      createInterface({ input: harness.stdout }).on('line', (line) => {
        output += `${line}\n`;
        if (line.startsWith('[Phase 6] ✓')) resolve();
      });
      void exited.then((code) => reject(new Error(`harness exited early (${code}):\n${output}`)));
    });
    expect(processesMatching(workerId).length).toBeGreaterThan(0);

    harness.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(processesMatching(workerId)).toEqual([]);
    const report = JSON.parse(readFileSync(join(dir, 'report', 'report.json'), 'utf8')) as { interrupted: boolean; checks: Array<{ name: string; verdict: string }> };
    expect(report.interrupted).toBe(true);
    expect(report.checks.find((check) => check.name === 'Phase 6: worker registration')?.verdict).toBe('pass');
    // The row was written in Phase 6 and stays in the file.
    expect(readWorkersWithPythonSqlite(registry).map((row) => row.worker_id)).toEqual([workerId]);
  }, 120_000);
});
