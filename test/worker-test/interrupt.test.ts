import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { v4 as uuidv4 } from 'uuid';
import { describe, expect, it } from 'vitest';
import { processesMatching } from '../../tasks/lib/process/find-processes.ts';
import { repoPath } from '../helpers/fixture-path.ts';

describe('Ctrl-C during worker:test', () => {
  it('stops the worker (and its whole group), writes the interrupted report, exits 130', async () => {
    const workerId = `sigint-${uuidv4()}`;
    const reportDir = mkdtempSync(join(tmpdir(), 'hivecheck-sigint-'));
    // A worker that loads slowly, so the run is surely in flight when the signal comes.
    const harness = spawn(process.execPath, ['--import', 'tsx', 'tasks/main.ts', 'worker:test', '--worker-id', workerId, '--report', reportDir, '--worker-arg=--load-delay-ms=20000'], {
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
        if (line.includes(`Heartbeat #1 from worker: ${workerId}`)) resolve();
      });
      void exited.then((code) => reject(new Error(`harness exited early (${code}):\n${output}`)));
    });
    expect(processesMatching(workerId).length).toBeGreaterThan(0);

    harness.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(processesMatching(workerId)).toEqual([]);
    const report = JSON.parse(readFileSync(join(reportDir, 'report.json'), 'utf8'));
    expect(report.interrupted).toBe(true);
    expect(report.exitCode).toBe(130);
    expect(readFileSync(join(reportDir, 'logs', 'worker.log'), 'utf8')).toContain(workerId);
  });
});
