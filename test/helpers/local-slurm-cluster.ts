import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import getPort from 'get-port';
import { which } from 'zx';
import { ProcessGuard } from '../../tasks/lib/process/process-guard.ts';
import { slurmClient } from '../../tasks/lib/slurm/slurm-client.ts';

export interface ClusterProcess {
  pid: number;
  pgid: number;
  cmdline: string;
}

/**
 * Live processes (not zombies) whose environment or command line names the cluster folder `dir`;
 * with `cmdline`, only those whose command line matches it (read first: a cheap scan).
 */
function clusterProcesses(dir: string, only?: RegExp): ClusterProcess[] {
  const found: ClusterProcess[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim();
      if (only && !only.test(cmdline)) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] === 'Z') continue;
      if (cmdline.includes(dir) || readFileSync(`/proc/${entry}/environ`, 'utf8').includes(`SLURM_CONF=${dir}/`)) found.push({ pid: Number(entry), pgid: Number(fields[2]), cmdline });
    } catch {
      // gone while we looked, or not ours to read
    }
  }
  return found;
}

/** Whether something accepts TCP connections on 127.0.0.1:`port`. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A daemon's path: /usr/sbin/<name> where it is there (not always on PATH), else the name. */
const sbin = (name: string): string => (existsSync(`/usr/sbin/${name}`) ? `/usr/sbin/${name}` : name);

const PROGRAMS = ['munged', 'mungekey', 'slurmctld', 'slurmd', 'srun', 'squeue', 'scancel', 'scontrol', 'sinfo'];

/** Why a local cluster cannot start here (not root, a program missing), or undefined when it can. */
export async function localClusterUnavailable(): Promise<string | undefined> {
  if (process.platform !== 'linux') return 'a local Slurm cluster needs Linux';
  if (process.getuid?.() !== 0) return 'slurmd must run as root to start jobs as the submitting user (run the tests as root, as CI does)';
  const missing: string[] = [];
  // The daemons live in /usr/sbin, which a non-root PATH often lacks.
  for (const program of PROGRAMS) if (!(await which(program, { nothrow: true })) && !existsSync(`/usr/sbin/${program}`)) missing.push(program);
  return missing.length ? `${missing.join(', ')} not installed (apt-get install slurm-wlm munge, or .ci/install-slurm.sh)` : undefined;
}

/**
 * A real Slurm cluster on this machine: its own munged (own key and socket), one slurmctld and
 * one `slurmd -N <node>` per node on 127.0.0.2, .3, … each with its own port, all config and
 * state in a temp folder (docs: ../../docs/fleet.md). Every daemon runs under a guard in its own
 * process group; dispose shuts the cluster down (`scontrol shutdown`), stops every group and
 * kills any slurmstepd of this cluster still alive, so nothing is left, even after a failed test.
 */
export class LocalSlurmCluster implements AsyncDisposable {
  readonly guards: ProcessGuard[] = [];
  readonly env: Record<string, string>;
  #ctldPort = 0;

  private constructor(
    readonly dir: string,
    readonly nodes: readonly string[],
  ) {
    this.env = { SLURM_CONF: join(dir, 'slurm.conf') };
  }

  static async start(nodeCount = 3, timeoutMs = 60_000): Promise<LocalSlurmCluster> {
    const dir = await mkdtemp(join(tmpdir(), 'hivecheck-slurm-'));
    const nodes = Array.from({ length: nodeCount }, (_, i) => `n${i + 1}`);
    const cluster = new LocalSlurmCluster(dir, nodes);
    try {
      await cluster.#configure();
      await cluster.#startDaemons(timeoutMs);
      return cluster;
    } catch (error) {
      await cluster[Symbol.asyncDispose]();
      throw error;
    }
  }

  async #configure(): Promise<void> {
    const d = this.dir;
    await Promise.all(['munge', 'state', 'log', ...this.nodes.map((node) => `spool/${node}`)].map((sub) => mkdir(join(d, sub), { recursive: true, mode: 0o700 })));
    const [ctld, ...nodePorts] = await Promise.all([getPort(), ...this.nodes.map(() => getPort())]);
    this.#ctldPort = ctld as number;
    const host = hostname().split('.')[0] as string;
    await writeFile(
      join(d, 'slurm.conf'),
      [
        'ClusterName=hivecheck',
        `SlurmctldHost=${host}(127.0.0.1)`,
        `SlurmctldPort=${ctld}`,
        'SlurmUser=root',
        'SlurmdUser=root',
        'AuthType=auth/munge',
        'CredType=cred/munge',
        `AuthInfo=socket=${d}/munge/munge.socket`,
        'ProctrackType=proctrack/linuxproc',
        'TaskPlugin=task/none',
        'SelectType=select/cons_tres',
        'SchedulerType=sched/builtin',
        'MpiDefault=none',
        'JobAcctGatherType=jobacct_gather/none',
        'AccountingStorageType=accounting_storage/none',
        'ReturnToService=2',
        // Slurm's SIGTERM → SIGKILL gap for a cancelled step: each node's harness needs it to stop its
        // worker and write its interrupted report (seconds on a busy machine; Slurm's default is 30).
        'KillWait=20',
        `StateSaveLocation=${d}/state`,
        `SlurmdSpoolDir=${d}/spool/%n`,
        `SlurmctldPidFile=${d}/slurmctld.pid`,
        `SlurmdPidFile=${d}/slurmd-%n.pid`,
        `SlurmctldLogFile=${d}/log/slurmctld.log`,
        `SlurmdLogFile=${d}/log/slurmd-%n.log`,
        ...this.nodes.map((node, i) => `NodeName=${node} NodeHostname=${host} NodeAddr=127.0.0.${i + 2} Port=${nodePorts[i]} CPUs=1 RealMemory=1000`),
        `PartitionName=debug Nodes=${this.nodes.join(',')} Default=YES MaxTime=INFINITE State=UP`,
        '',
      ].join('\n'),
    );
    await using key = await ProcessGuard.start({ name: 'mungekey', command: sbin('mungekey'), args: ['--create', `--keyfile=${d}/munge/munge.key`] });
    const made = await key.settled;
    if (made.code !== 0) throw new Error(`mungekey failed: ${key.tail(5).join(' | ')}`);
  }

  async #startDaemons(timeoutMs: number): Promise<void> {
    const d = this.dir;
    const env = this.env;
    const munged = await this.#start('munged', 'munged', ['--foreground', '--force', `--socket=${d}/munge/munge.socket`, `--key-file=${d}/munge/munge.key`, `--pid-file=${d}/munge/munged.pid`, `--log-file=${d}/log/munged.log`, `--seed-file=${d}/munge/seed`]);
    void munged;
    await this.#waitFor('munged socket', timeoutMs, async () => existsSync(`${d}/munge/munge.socket`));
    await this.#start('slurmctld', 'slurmctld', ['-D', '-i'], env);
    // A slurmd that finds no controller yet retries its registration a whole second later.
    await this.#waitFor('slurmctld listening', timeoutMs, () => accepts(this.#ctldPort));
    for (const node of this.nodes) await this.#start(`slurmd-${node}`, 'slurmd', ['-D', '-N', node], env);
    await this.#waitFor(`${this.nodes.length} nodes idle in sinfo`, timeoutMs, async () => {
      const sinfo = await slurmClient('sinfo', ['--noheader', '--Node', '--format=%N %t'], 5000, this.env).catch(() => undefined);
      const idle = sinfo?.lines.filter((line) => /\bidle$/.test(line.trim())).length ?? 0;
      return idle === this.nodes.length;
    });
  }

  async #start(name: string, command: string, args: string[], env: Record<string, string> = {}): Promise<ProcessGuard> {
    const guard = await ProcessGuard.start({ name, command: sbin(command), args, env, logFile: join(this.dir, 'log', `${name}.out`), graceMs: 3000 });
    this.guards.push(guard);
    return guard;
  }

  async #waitFor(what: string, timeoutMs: number, ready: () => Promise<boolean>): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (!(await ready())) {
      const dead = this.guards.find((guard) => guard.exitInfo);
      if (dead) throw dead.exitedError(what);
      if (performance.now() > deadline) throw new Error(`local Slurm cluster: no ${what} after ${timeoutMs} ms; logs in ${this.dir}/log`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** The cluster's queue: one `<job id> <state> <name>` line per job (empty when nothing is queued or running). */
  async queue(): Promise<string[]> {
    return (await slurmClient('squeue', ['--noheader', '--format=%i %T %j'], 10_000, this.env)).lines.filter((line) => line.trim() !== '');
  }

  /**
   * Processes of this cluster besides its daemons: every slurmstepd and job task started through it
   * (they carry the cluster's SLURM_CONF in their environment, or its folder on their command line);
   * with `cmdline`, only those whose command line matches it.
   */
  jobProcesses(cmdline?: RegExp): ClusterProcess[] {
    const daemonGroups = new Set(this.guards.map((guard) => guard.pid));
    return clusterProcesses(this.dir, cmdline).filter((found) => !daemonGroups.has(found.pgid));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (this.guards.some((guard) => guard.name === 'slurmctld' && !guard.exitInfo)) await slurmClient('scontrol', ['shutdown'], 10_000, this.env).catch(() => undefined);
    // The daemons first: slurmd answers the shutdown request through munge, and waits on it (seconds) while munged is gone.
    const [munged, daemons] = [this.guards.filter((guard) => guard.name === 'munged'), this.guards.filter((guard) => guard.name !== 'munged')];
    await Promise.allSettled(daemons.map((guard) => guard.stop()));
    await Promise.allSettled(munged.map((guard) => guard.stop()));
    // slurmstepd and job tasks run in sessions of their own: none may outlive the cluster.
    for (const found of clusterProcesses(this.dir)) {
      try {
        process.kill(found.pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
    await rm(this.dir, { recursive: true, force: true }).catch(() => undefined);
  }
}
