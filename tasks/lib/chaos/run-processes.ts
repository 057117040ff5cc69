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

/** A port still listened on, and who holds it. */
export interface PortHolder {
  port: number;
  /**
   * `run`: a process of the run (it carries the run's tag): a leak.
   * `other`: a process that is not the run's (the number was reused, e.g. by another program's free-port pick).
   * `none`: no process holds the socket (it is being closed, or its holder's fds cannot be read).
   */
  owner: 'run' | 'other' | 'none';
  holders: TaggedProcess[];
}

/** For each listening socket inode in `inodes`: the pids holding it (an fd pointing at `socket:[inode]`). */
function socketHolders(inodes: ReadonlySet<string>): Map<string, number[]> {
  const holders = new Map<string, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${entry}/fd/${fd}`))?.[1];
        if (inode === undefined || !inodes.has(inode)) continue;
        const pids = holders.get(inode) ?? [];
        if (!pids.includes(Number(entry))) pids.push(Number(entry));
        holders.set(inode, pids);
      } catch {
        // closed while we looked
      }
    }
  }
  return holders;
}

function describeProcess(pid: number): TaggedProcess {
  try {
    return { pid, commandLine: readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ') };
  } catch {
    return { pid, commandLine: '?' };
  }
}

/**
 * The ports of `ports` that something still listens on, each with its holder found from the
 * listening socket's inode (/proc/net/tcp → /proc/<pid>/fd): a process of the run (tagged `tag`),
 * another process that took the number since, or none (a socket still closing).
 */
export function portHolders(ports: readonly number[], tag: string): PortHolder[] {
  const wanted = new Set(ports);
  const inodes = new Map<string, number>();
  for (const [inode, port] of listeningSockets()) if (wanted.has(port)) inodes.set(inode, port);
  if (inodes.size === 0) return [];
  const holders = socketHolders(new Set(inodes.keys()));
  const tagged = new Set(processesTagged(tag).map((found) => found.pid));
  const byPort = new Map<number, PortHolder>();
  for (const [inode, port] of inodes) {
    const pids = holders.get(inode) ?? [];
    const owner: PortHolder['owner'] = pids.some((pid) => tagged.has(pid)) ? 'run' : pids.length > 0 ? 'other' : 'none';
    const seen = byPort.get(port);
    const rank = { run: 2, none: 1, other: 0 } as const;
    const holder = { port, owner, holders: pids.map(describeProcess) };
    if (!seen || rank[owner] > rank[seen.owner]) byPort.set(port, holder);
  }
  return [...byPort.values()].sort((a, b) => a.port - b.port);
}
