import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { commandDigest, processCommandLine, processStartTime, sweepStaleRecords } from '../../tasks/lib/process/group-sweep.mjs';
import { isPidAlive } from '../../tasks/lib/process/process-groups.ts';
import { runTaskCli } from '../helpers/run-task-cli.ts';

const started: ChildProcess[] = [];
const dirs: string[] = [];

/** A real process in its own group, as a guard would have started it. */
async function startGroup(label: string, detached = true): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', `setInterval(() => {}, 1000) // ${label}`], { detached, stdio: 'ignore' });
  await new Promise((resolve) => child.once('spawn', resolve));
  started.push(child);
  return child;
}

function groupLine(pid: number, overrides: Record<string, unknown> = {}): string {
  const commandLine = processCommandLine(pid) as string;
  return JSON.stringify({ op: 'start', pgid: pid, startTime: processStartTime(pid), commandDigest: commandDigest(commandLine), command: commandLine, name: `group-${pid}`, runId: 'test-run', at: new Date().toISOString(), ...overrides });
}

afterEach(() => {
  for (const child of started.splice(0)) if (child.pid && isPidAlive(child.pid)) process.kill(child.pid, 'SIGKILL');
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('cleanup (sweep of a dead harness run record)', () => {
  it('kills only groups whose pid, start time and command still match; leaves recycled pids and live owners alone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hivecheck-state-'));
    dirs.push(dir);
    const leaked = await startGroup('leaked');
    const recycledStart = await startGroup('recycled start time');
    // Same pid and start tick but another command and no session of its own: not ours.
    const recycledCommand = await startGroup('recycled command', false);
    // Same pid, start tick and session, another command: it exec'd (a pyenv shim exec's python).
    const reExeced = await startGroup('exec-ed another program');
    const ended = await startGroup('ended');
    const owned = await startGroup('owned by a live harness');
    // A pid that has exited and been reaped: a dead owner.
    const deadOwner = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const deadPid = Number(deadOwner.stdout);
    const record = [
      JSON.stringify({ op: 'owner', pid: deadPid, startTime: '1', runId: 'test-run', argv: ['tasks/main.ts', 'worker:test'], at: new Date().toISOString() }),
      groupLine(leaked.pid as number),
      groupLine(recycledStart.pid as number, { startTime: '12345' }), // same pid, another process
      groupLine(recycledCommand.pid as number, { commandDigest: commandDigest('python3 -m http.server 8000') }),
      groupLine(reExeced.pid as number, { commandDigest: commandDigest('bash /root/.pyenv/libexec/pyenv-exec python3 -m http.server 8000') }),
      groupLine(ended.pid as number),
      JSON.stringify({ op: 'end', pgid: ended.pid }),
      '{"op":"start","pgid":', // a line cut short by the kill
    ];
    writeFileSync(join(dir, `${deadPid}-1.jsonl`), `${record.join('\n')}\n`);
    // A record whose owner is this (running) process: not stale, never touched.
    const liveRecord = join(dir, `${process.pid}-${processStartTime(process.pid)}.jsonl`);
    writeFileSync(liveRecord, `${JSON.stringify({ op: 'owner', pid: process.pid, startTime: processStartTime(process.pid), runId: 'live', argv: [], at: '' })}\n${groupLine(owned.pid as number)}\n`);

    const run = await runTaskCli(['cleanup'], { HIVECHECK_STATE_DIR: dir });

    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(isPidAlive(leaked.pid as number)).toBe(false);
    expect(run.stdout).toMatch(new RegExp(`killed \\(SIGTERM\\)  group-${leaked.pid} `));
    expect(isPidAlive(reExeced.pid as number)).toBe(false);
    expect(run.stdout).toMatch(new RegExp(`killed \\(SIGTERM\\)  group-${reExeced.pid} `));
    for (const spared of [recycledStart, recycledCommand, ended, owned]) expect(isPidAlive(spared.pid as number), `pid ${spared.pid} was spared`).toBe(true);
    expect(run.stdout).toContain(`left alone    group-${recycledStart.pid}`);
    expect(run.stdout).toMatch(new RegExp(`pid ${recycledStart.pid} now has start time \\d+, recorded 12345`));
    expect(run.stdout).toContain(`left alone    group-${recycledCommand.pid}`);
    expect(run.stdout).not.toContain(`group-${ended.pid}`);
    expect(run.stdout).not.toContain(`group-${owned.pid}`);
    expect(existsSync(join(dir, `${deadPid}-1.jsonl`))).toBe(false);
    expect(existsSync(liveRecord)).toBe(true);

    expect(await sweepStaleRecords(dir)).toEqual([]); // swept once: nothing left to do
  }, 180_000); // a CLI start-up and six processes on a loaded 2-core machine
});
