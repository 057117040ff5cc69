import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it, vi } from 'vitest';
import { isPidAlive } from '../../tasks/lib/process/process-groups.ts';
import { fixturePath, repoPath } from '../helpers/fixture-path.ts';

/** Starts the fixture harness (two guarded children, one forking a SIGTERM-ignoring grandchild) and reads its pids. */
async function startHarness(stateDir: string): Promise<{ harness: ReturnType<typeof spawn>; pids: number[] }> {
  const harness = spawn(process.execPath, ['--import', 'tsx', fixturePath('harness-with-children.ts')], { cwd: repoPath(''), stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HIVECHECK_STATE_DIR: stateDir } });
  let stderr = '';
  harness.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise((resolve) => harness.once('exit', resolve));
  const report = await new Promise<{ pids: number[] }>((resolve, reject) => {
    createInterface({ input: harness.stdout }).on('line', (line) => {
      if (line.startsWith('{"harness"')) resolve(JSON.parse(line));
    });
    void exited.then((code) => reject(new Error(`harness exited early (${String(code)}): ${stderr}`)));
  });
  return { harness, pids: report.pids };
}

describe('a harness killed with SIGKILL', () => {
  it('leaves nothing behind: its watchdog kills every group it started, grandchildren included', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'hivecheck-state-'));
    const { harness, pids } = await startHarness(stateDir);
    for (const pid of pids) expect(isPidAlive(pid), `pid ${pid} before the kill`).toBe(true);
    const [record] = readdirSync(stateDir).filter((name) => name.endsWith('.jsonl'));
    expect(record, 'the run recorded its groups').toBeDefined();
    expect(readFileSync(join(stateDir, record as string), 'utf8')).toContain('"op":"start"');

    harness.kill('SIGKILL'); // no handler runs: only the watchdog can clean up
    // "Within a few seconds": the watchdog gives SIGTERM 1 s, then SIGKILLs the stubborn ones.
    // The 15 s bound is for a loaded 2-core machine; the chaos script measures the real figure.
    await vi.waitFor(() => {
      for (const pid of pids) expect(isPidAlive(pid), `pid ${pid} survived`).toBe(false);
    }, { timeout: 15_000, interval: 10 });
    await vi.waitFor(() => expect(readdirSync(stateDir).filter((name) => name.includes('.jsonl'))).toEqual([]), { timeout: 15_000, interval: 10 });
    expect(existsSync(join(stateDir, record as string))).toBe(false);
    await vi.waitFor(() => expect(readFileSync(join(stateDir, 'watchdog.log'), 'utf8')).toMatch(/killed stubborn \(pgid \d+, run [0-9a-f-]+\) with SIGKILL/), { timeout: 5000, interval: 10 });
    rmSync(stateDir, { recursive: true, force: true });
  });
});
