import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { isPidAlive } from '../../tasks/lib/process/process-groups.ts';
import { fixturePath, repoPath } from '../helpers/fixture-path.ts';

describe('a harness interrupted with SIGINT', () => {
  it('tears down every process it started, grandchildren included, then exits 130', async () => {
    const harness = spawn(process.execPath, ['--import', 'tsx', fixturePath('harness-with-children.ts')], { cwd: repoPath(''), stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => harness.once('exit', (code) => resolve(code)));
    let stderr = '';
    harness.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const lines = createInterface({ input: harness.stdout });
    const report = await new Promise<{ harness: number; pids: number[] }>((resolve, reject) => {
      lines.on('line', (line) => {
        if (line.startsWith('{"harness"')) resolve(JSON.parse(line));
      });
      void exited.then((code) => reject(new Error(`harness exited early with ${code}: ${stderr}`)));
    });
    expect(report.pids).toHaveLength(3);
    for (const pid of report.pids) expect(isPidAlive(pid)).toBe(true);

    harness.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toContain('received SIGINT; stopping forking');
    for (const pid of report.pids) expect(isPidAlive(pid), `pid ${pid} survived`).toBe(false);
  });
});
