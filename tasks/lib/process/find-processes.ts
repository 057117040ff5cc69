import { readFileSync } from 'node:fs';
import { procPids } from './process-state.ts';

export interface FoundProcess {
  pid: number;
  cmdline: string;
}

/**
 * Running processes whose command line contains `needle` (Linux /proc; elsewhere an empty list).
 * Used to prove nothing outlived a run: search for the run's unique worker id.
 */
export function processesMatching(needle: string): FoundProcess[] {
  const found: FoundProcess[] = [];
  for (const pid of procPids()) {
    if (pid === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
      if (cmdline.includes(needle)) found.push({ pid, cmdline });
    } catch {
      // gone while we looked
    }
  }
  return found;
}
