import { readdirSync, readFileSync } from 'node:fs';

export interface FoundProcess {
  pid: number;
  cmdline: string;
}

/**
 * Running processes whose command line contains `needle` (Linux /proc; elsewhere an empty list).
 * Used to prove nothing outlived a run: search for the run's unique worker id.
 */
export function processesMatching(needle: string): FoundProcess[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const found: FoundProcess[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim();
      if (cmdline.includes(needle)) found.push({ pid: Number(entry), cmdline });
    } catch {
      // gone while we looked
    }
  }
  return found;
}
