import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/**
 * Finds every process of one harness run, however it was started (worker, grandchild, watchdog),
 * by a tag in its environment: children inherit the harness's environment, so a process that left
 * the harness's process groups is still found. Linux /proc only.
 */
export const RUN_TAG_ENV = 'HIVECHECK_CHAOS_TAG';

export interface TaggedProcess {
  pid: number;
  commandLine: string;
}

function isZombie(pid: string): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2)[0];
    return state === 'Z' || state === 'X';
  } catch {
    return true;
  }
}

export function processesTagged(tag: string): TaggedProcess[] {
  const needle = `${RUN_TAG_ENV}=${tag}\0`;
  const found: TaggedProcess[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (!readFileSync(`/proc/${entry}/environ`, 'utf8').includes(needle) || isZombie(entry)) continue;
      found.push({ pid: Number(entry), commandLine: readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ') });
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

/** Socket inodes in LISTEN state (TCP, v4 and v6) → their local ports. */
function listeningSockets(): Map<string, number> {
  const sockets = new Map<string, number>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields[3] !== '0A') continue; // 0A = LISTEN
      const port = parseInt((fields[1] ?? '').split(':')[1] ?? '', 16);
      if (fields[9] && Number.isInteger(port)) sockets.set(fields[9], port);
    }
  }
  return sockets;
}

/** Ports the given processes listen on. */
export function listeningPorts(pids: readonly number[]): number[] {
  const sockets = listeningSockets();
  const ports = new Set<number>();
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
        const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
        const port = inode ? sockets.get(inode) : undefined;
        if (port !== undefined) ports.add(port);
      } catch {
        // closed while we looked
      }
    }
  }
  return [...ports].sort((a, b) => a - b);
}

/** Which of `ports` anything on the machine still listens on. */
export function stillListening(ports: readonly number[]): number[] {
  const open = new Set(listeningSockets().values());
  return ports.filter((port) => open.has(port));
}
