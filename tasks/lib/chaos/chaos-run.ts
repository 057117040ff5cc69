import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { quote } from 'shell-quote';
import { v4 as uuidv4 } from 'uuid';
import { processStartTime } from '../process/group-sweep.mjs';
import { runsProgram } from '../process/node-program.ts';
import { REFERENCE_ARGS } from '../../worker-test/reference-worker.ts';
import { listeningPorts, portHolders, processesTagged, RUN_TAG_ENV, type PortHolder, type TaggedProcess } from './run-processes.ts';

/** What one chaos run does to the harness or its worker. */
export const CHAOS_FAULTS = ['harness-SIGINT', 'harness-SIGTERM', 'harness-SIGKILL', 'worker-SIGKILL', 'worker-hang'] as const;
export type ChaosFault = (typeof CHAOS_FAULTS)[number];

export interface ChaosRunOptions {
  fault: ChaosFault;
  /** Delay between the worker process appearing and the fault. */
  delayMs: number;
  /** Run the worker behind a wrapper that forks a port-holding grandchild. */
  forkGrandchildren: boolean;
  /** The run's startup budget (`--timeout`, seconds). */
  timeoutS?: number;
  /**
   * How long after the harness exits its processes and ports may take to go (default 3 s; the
   * watchdog's SIGTERM grace is 0.3 s). Polled: the count is taken as soon as everything is gone.
   */
  settleMs?: number;
  /** Another worker instead of the reference one: extra worker:test flags and a command-line fragment that finds its process. */
  worker?: { flags: readonly string[]; match: string };
  /** Count the delay from when the worker listens (it is up, and the harness is probing it), not from its start. */
  afterWorkerListens?: boolean;
}

export interface ChaosRunResult {
  fault: ChaosFault;
  forkGrandchildren: boolean;
  delayMs: number;
  /** Whether the fault was injected (the harness may have finished first). */
  injected: boolean;
  exitCode: number | null;
  exitSignal: NodeJS.Signals | null;
  /** Processes of the run (any of them, found by environment tag) still running after `settleMs`. */
  survivors: TaggedProcess[];
  /**
   * Ports the run's processes listened on that a process of the run (or no process: a socket that
   * never finished closing) still listens on after `settleMs`.
   */
  leakedPorts: number[];
  /** Ports the run used that another process listens on now (the number was reused): named, not a leak. */
  reusedPorts: PortHolder[];
  portsSeen: number[];
  /**
   * Time from the run's deadline until its last process was gone (0 when it ended before). The
   * deadline is the fault itself for a kill, and the startup budget (`--timeout` from the worker's
   * start) for a hang or when the fault came too late.
   */
  overrunMs: number;
  wallMs: number;
  /** The harness's output (for a failing run). */
  output: string;
}

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const HARNESS = join(REPO, 'bin', 'hivecheck.mjs');
const FORKING_WORKER = join(REPO, 'chaos', 'fork-grandchild-worker.mjs');
const POLL_MS = 10;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function workerArgs(forkGrandchildren: boolean): string[] {
  if (!forkGrandchildren) return [];
  return ['--worker-cmd', quote([process.execPath, FORKING_WORKER, ...REFERENCE_ARGS])];
}

/** How long ago the process started (/proc start time in clock ticks, 100 per second on Linux). */
function processAgeMs(pid: number): number {
  const ticks = Number(processStartTime(pid));
  const uptimeS = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
  return Number.isFinite(ticks) ? Math.max(0, uptimeS * 1000 - ticks * 10) : 0;
}

/** The worker process: the reference worker's main (under the wrapper when it forks). */
function findWorker(tag: string, match?: string): TaggedProcess | undefined {
  // The harness's own command line names the worker command too (--worker-cmd): not that one.
  const isWorker = (line: string): boolean => (match ? line.includes(match) : runsProgram('reference-worker', line));
  return processesTagged(tag).find((found) => isWorker(found.commandLine) && !found.commandLine.includes(HARNESS));
}

/**
 * One harness run (`worker:test` against the reference worker) with one fault injected, then the
 * count of what it left behind. Every process of the run is found by an environment tag, not by
 * the harness's own bookkeeping, so a leak the harness does not know about is still counted.
 */
export async function chaosRun(options: ChaosRunOptions): Promise<ChaosRunResult> {
  const tag = uuidv4();
  const timeoutS = options.timeoutS ?? 20;
  const settleMs = options.settleMs ?? 3000;
  const stateDir = mkdtempSync(join(tmpdir(), 'hivecheck-chaos-state-'));
  const reportDir = mkdtempSync(join(tmpdir(), 'hivecheck-chaos-report-'));
  const started = performance.now();
  const args = [HARNESS, 'worker:test', '--timeout', String(timeoutS), '--heartbeat-timeout', '5', '--inference-timeout', '5', '--report', reportDir, ...(options.worker?.flags ?? workerArgs(options.forkGrandchildren))];
  const harness = spawn(process.execPath, args, {
    cwd: REPO,
    env: { ...process.env, CI: 'true', [RUN_TAG_ENV]: tag, HIVECHECK_STATE_DIR: stateDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  harness.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  harness.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exited = new Promise<void>((resolve) => harness.once('exit', (code, signal) => ((exit = { code, signal }), resolve())));

  const ports = new Set<number>();
  const watchPorts = (): void => {
    for (const port of listeningPorts(processesTagged(tag).map((found) => found.pid))) ports.add(port);
  };

  // Wait for the worker to exist, then for the chosen delay, noting ports all along.
  let worker: TaggedProcess | undefined;
  while (!exit && !(worker = findWorker(tag, options.worker?.match))) await sleep(POLL_MS);
  // The startup budget runs from the worker's start (from /proc, to 10 ms), not from when we saw it.
  const workerSeen = performance.now() - (worker ? processAgeMs(worker.pid) : 0);
  while (options.afterWorkerListens && worker && !exit && listeningPorts([worker.pid]).length === 0) await sleep(POLL_MS);
  const faultAt = performance.now() + options.delayMs;
  while (!exit && performance.now() < faultAt) {
    watchPorts();
    await sleep(POLL_MS);
  }
  watchPorts();

  let injected = false;
  let deadline = workerSeen + timeoutS * 1000;
  if (!exit && worker) {
    injected = true;
    const now = performance.now();
    switch (options.fault) {
      case 'harness-SIGINT':
      case 'harness-SIGTERM':
      case 'harness-SIGKILL':
        harness.kill(options.fault.slice('harness-'.length) as NodeJS.Signals);
        deadline = now;
        break;
      case 'worker-SIGKILL':
        process.kill(worker.pid, 'SIGKILL');
        deadline = now;
        break;
      case 'worker-hang':
        process.kill(worker.pid, 'SIGSTOP'); // the run may take its whole budget, no more
        break;
    }
  }

  // The harness must end within its budgets; a hard cap keeps the chaos script itself bounded.
  const cap = setTimeout(() => harness.kill('SIGKILL'), timeoutS * 1000 + 60_000);
  while (!exit) {
    watchPorts();
    await Promise.race([exited, sleep(50)]);
  }
  clearTimeout(cap);

  // Everything of the run must be gone shortly after: the harness tore it down, or its watchdog did.
  const settleUntil = performance.now() + settleMs;
  let remaining = processesTagged(tag);
  while (remaining.length > 0 && performance.now() < settleUntil) {
    await sleep(POLL_MS);
    remaining = processesTagged(tag);
  }
  const lastGone = performance.now();
  // A port still open once the run's processes are gone: whose is it? One held by another process
  // is a reused number, not a leak; one held by nobody is a socket still closing, given until the
  // end of the settle window.
  let holders = portHolders([...ports], tag);
  while (holders.some((holder) => holder.owner !== 'other') && performance.now() < settleUntil) {
    await sleep(POLL_MS);
    holders = portHolders([...ports], tag);
  }
  const leakedPorts = holders.filter((holder) => holder.owner !== 'other').map((holder) => holder.port);
  const reusedPorts = holders.filter((holder) => holder.owner === 'other');

  // Count first, then clean up after ourselves so a leak does not outlive the chaos run.
  for (const survivor of remaining) {
    try {
      process.kill(survivor.pid, 'SIGCONT');
      process.kill(survivor.pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  rmSync(stateDir, { recursive: true, force: true });
  rmSync(reportDir, { recursive: true, force: true });
  return {
    fault: options.fault,
    forkGrandchildren: options.forkGrandchildren,
    delayMs: options.delayMs,
    injected,
    exitCode: exit?.code ?? null,
    exitSignal: exit?.signal ?? null,
    survivors: remaining,
    leakedPorts,
    reusedPorts,
    portsSeen: [...ports].sort((a, b) => a - b),
    overrunMs: Math.max(0, lastGone - deadline),
    wallMs: lastGone - started,
    output,
  };
}
