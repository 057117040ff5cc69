import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { $ } from 'zx';
import { freshBuild, PROGRAMS } from '../../bin/build-cli.mjs';
import { nodeProgram, programSource, runsProgram, type ProgramName } from '../../tasks/lib/process/node-program.ts';
import { loadTask } from '../../tasks/runner/task-definition.ts';
import { TASKS } from '../../tasks/task-table.ts';
import { repoPath } from '../helpers/fixture-path.ts';

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
    const fromSource = await $({ cwd: repoPath(''), nothrow: true, quiet: true })`${process.execPath} --import tsx tasks/main.ts help`;
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

describe('the programs the harness starts (fixtures, the fleet node step)', () => {
  // The vitest global setup made a current build: each program is started from it with plain node.
  it.each(Object.keys(PROGRAMS).filter((name) => name !== 'trainer') as ProgramName[])('%s runs from the build and prints its usage', async (name) => {
    const [node, file, ...rest] = nodeProgram(name);
    expect([node, rest]).toEqual([process.execPath, []]);
    expect(file).toMatch(new RegExp(`/dist/cli/b-[^/]+/${name}\\.js$`));
    expect(runsProgram(name, `${node} ${file} --port 1`)).toBe(true);
    expect(runsProgram(name, `${node} --import tsx ${programSource(name)}`)).toBe(true);
    const run = await $({ cwd: tmpdir(), nothrow: true, quiet: true })`${node} ${file} --help`;
    expect(`${run.stdout}${run.stderr}`).toMatch(/usage/i);
    expect(`${run.stdout}${run.stderr}`).not.toContain('ERR_MODULE_NOT_FOUND');
  });
});
