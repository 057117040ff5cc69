import { readdirSync, readFileSync } from 'node:fs';

/**
 * Process-group helpers. Every guarded process is started as the leader of its own group
 * (`detached: true` makes it a session and group leader), so signalling `-pgid` reaches its
 * children and grandchildren too.
 */

export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

const hasProc = (() => {
  try {
    readdirSync('/proc/self');
    return true;
  } catch {
    return false;
  }
})();

/** Parses `/proc/<pid>/stat`: the command name may contain spaces and parentheses. */
function readStat(pid: string): { state: string; pgrp: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '?', pgrp: Number(fields[2]) };
  } catch {
    return undefined; // the process went away while we looked
  }
}

/**
 * Pids in the group that are still running. Zombies (exited, waiting to be reaped by whoever
 * adopted them) are not counted: they hold no resources and cannot be killed again.
 */
export function liveGroupMembers(pgid: number): number[] {
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return [];
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') throw error;
  }
  if (!hasProc) return [pgid];
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(entry);
    if (stat && stat.pgrp === pgid && stat.state !== 'Z' && stat.state !== 'X') members.push(Number(entry));
  }
  return members;
}

/** True when the pid names a running (non-zombie) process. */
export function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  if (!hasProc) return true;
  const stat = readStat(String(pid));
  return stat !== undefined && stat.state !== 'Z' && stat.state !== 'X';
}
