import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { $ } from 'zx';
import { freshBuild } from '../../bin/build-cli.mjs';
import { loadTask } from '../../tasks/runner/task-definition.ts';
import { TASKS } from '../../tasks/task-table.ts';
import { repoPath } from '../helpers/fixture-path.ts';
import { runTaskCli } from '../helpers/run-task-cli.ts';

describe('the task table', () => {
  it('lists each task once, with the summary its module declares', async () => {
    const names = TASKS.map((row) => row.name);
    expect(new Set(names).size).toBe(names.length);
    for (const row of TASKS) {
      const task = await loadTask(row);
      expect({ name: task.name, summary: task.summary }).toEqual({ name: row.name, summary: row.summary });
    }
  });
});

describe('the precompiled entry (bin/hivecheck.mjs)', () => {
  it('prints the same help as the runner run from source', async () => {
    const fromSource = await runTaskCli(['help']);
    const bin = await $({ cwd: repoPath(''), nothrow: true, quiet: true })`${process.execPath} bin/hivecheck.mjs help`;
    expect(bin.exitCode).toBe(0);
    expect(bin.stdout).toBe(fromSource.stdout);
    expect(bin.stdout).toContain('worker:test');
  });

  it('passes exit codes through: an unknown task is a usage error (2)', async () => {
    const bin = await $({ cwd: repoPath(''), nothrow: true, quiet: true })`${process.execPath} bin/hivecheck.mjs no-such-task`;
    expect(bin.exitCode).toBe(2);
    expect(bin.stderr).toContain("unknown task 'no-such-task'");
  });

  it('counts a build as stale once one of its inputs is newer than the build, or missing', () => {
    const root = mkdtempSync(join(tmpdir(), 'hivecheck-build-'));
    mkdirSync(join(root, 'dist', 'cli'), { recursive: true });
    mkdirSync(join(root, 'src'));
    writeFileSync(join(root, 'src', 'a.ts'), 'export {};\n');
    const builtAt = Date.now();
    utimesSync(join(root, 'src', 'a.ts'), new Date(builtAt - 10_000), new Date(builtAt - 10_000));
    const manifest = (inputs: string[]): void => writeFileSync(join(root, 'dist', 'cli', 'manifest.json'), JSON.stringify({ build: 'b-1', startedAtMs: builtAt, inputs }));
    manifest(['src/a.ts']);
    expect(freshBuild(root)).toMatch(/dist\/cli\/b-1\/main\.js$/);
    utimesSync(join(root, 'src', 'a.ts'), new Date(builtAt + 1000), new Date(builtAt + 1000));
    expect(freshBuild(root)).toBeUndefined();
    manifest(['src/gone.ts']);
    expect(freshBuild(root)).toBeUndefined();
  });
});
