import { readdirSync, readFileSync } from 'node:fs';

/** One process of a group and its scheduler state, as `/proc/<pid>/stat` gives it (`R`, `S`, `D`, `T`, `t`, `Z`, …). */
export interface ProcessState {
  pid: number;
  state: string;
  name: string;
}

/** Parses `/proc/<pid>/stat`: the command name (in parentheses) may contain spaces and parentheses. */
function readStat(pid: number): (ProcessState & { pgrp: number }) | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const fields = stat.slice(close + 2).split(' ');
    return { pid, name: stat.slice(stat.indexOf('(') + 1, close), state: fields[0] ?? '?', pgrp: Number(fields[2]) };
  } catch {
    return undefined; // gone while we looked, or no /proc
  }
}

/** The pids /proc lists now (Linux; elsewhere none). */
export function procPids(): number[] {
  try {
    return readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry))
      .map(Number);
  } catch {
    return [];
  }
}

/** Every live process of a group with its state (Linux /proc; elsewhere an empty list). */
export function groupStates(pgid: number): ProcessState[] {
  const found: ProcessState[] = [];
  for (const pid of procPids()) {
    const stat = readStat(pid);
    if (stat && stat.pgrp === pgid && stat.state !== 'Z' && stat.state !== 'X') found.push({ pid: stat.pid, name: stat.name, state: stat.state });
  }
  return found;
}

/** `T` (stopped by a signal: SIGSTOP, SIGTSTP) or `t` (stopped by a tracer: a debugger). */
export function isStopped(state: ProcessState): boolean {
  return state.state === 'T' || state.state === 't';
}
