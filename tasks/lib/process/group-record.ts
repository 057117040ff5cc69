import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { appendFileSync, closeSync, mkdirSync, openSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { v4 as uuidv4 } from 'uuid';
import { secretsInArgv } from './argv-secrets.ts';
import { Redactor } from './redact.ts';
import { commandDigest, processCommandLine, processStartTime, readRecord, stateDir, type RecordedGroup } from './group-sweep.mjs';

/**
 * The harness's record of every process group it starts, and the watchdog that acts on it.
 *
 * Why both: a harness killed with SIGKILL cannot run its disposers. The watchdog (watchdog.mjs, a
 * bare-node process in its own session, started on the first guard) notices the harness's pipe
 * close and kills the groups at once. The record file is what it kills from, and it outlives the
 * watchdog too: if both die (a `kill -9` of everything, an OOM kill), the next harness's
 * watchdog and `npm run task -- cleanup` sweep it. Nothing is killed on a pid alone: start time
 * and command line must still match what was recorded.
 */
const WATCHDOG = fileURLToPath(new URL('./watchdog.mjs', import.meta.url));

export const RUN_ID = uuidv4();

let recordFile: string | undefined;

/**
 * A command line as the run record stores it: the values of secret flags (`--api-key KEY`,
 * `--token=…`, `Authorization: …`, also inside a quoted `--worker-cmd "…"`), secret-named
 * environment values and credential shapes masked. The record outlives a SIGKILLed harness; the
 * SHA-256 of the real command line (commandDigest) is what identifies the process.
 */
export function recordedArgv(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): string[] {
  const redactor = Redactor.fromEnv(env, secretsInArgv(argv.flatMap((word) => [word, ...word.split(/\s+/)])));
  return argv.map((word) => redactor.redact(word));
}
let watchdogStarted = false;
let watchdogProcess: ChildProcess | undefined;

export function recordFilePath(): string | undefined {
  return recordFile;
}

function ensureRecord(): string | undefined {
  if (recordFile) return recordFile;
  const dir = stateDir();
  const ownerStart = processStartTime(process.pid);
  if (ownerStart === undefined) return undefined; // no /proc: nothing to record against
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const path = join(dir, `${process.pid}-${ownerStart}.jsonl`);
    appendFileSync(path, `${JSON.stringify({ op: 'owner', pid: process.pid, startTime: ownerStart, runId: RUN_ID, argv: recordedArgv(process.argv.slice(1)), at: new Date().toISOString() })}\n`);
    recordFile = path;
  } catch {
    return undefined; // an unwritable state dir must not stop a run; the in-process teardown still works
  }
  process.once('exit', removeRecordIfClean);
  return recordFile;
}

function startWatchdog(path: string): void {
  let logFd: number | undefined;
  try {
    logFd = openSync(join(stateDir(), 'watchdog.log'), 'a');
    const watchdog = spawn(process.execPath, [WATCHDOG, path, stateDir()], {
      detached: true, // own session: the terminal's Ctrl-C and a kill of the harness's group miss it
      stdio: ['pipe', 'ignore', logFd],
      env: { ...process.env, NODE_OPTIONS: '' }, // bare node: no loader, no inspector
    });
    watchdogProcess = watchdog;
    watchdog.on('error', () => undefined); // without a watchdog the record is still swept later
    watchdog.unref();
    (watchdog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    watchdog.stdin?.on('error', () => undefined);
  } catch {
    // see above
  } finally {
    if (logFd !== undefined) closeSync(logFd);
  }
}

/**
 * The harness is about to exit (a run's end, or its orderly interrupt): closes the watchdog's pipe
 * and waits, bounded, for it to sweep and exit, so that when the harness has exited none of its
 * processes is left, the watchdog included. Without this the watchdog, in a session of its own,
 * outlived its harness by the moments it takes to notice: a Slurm job step ended with it still
 * running on the node (seen beside two busy loops). It sweeps as it would after a crash, so a
 * group still running (there should be none) is killed too.
 */
export async function releaseWatchdog(timeoutMs = 3000): Promise<void> {
  const watchdog = watchdogProcess;
  if (!watchdog || watchdog.exitCode !== null || watchdog.signalCode !== null) return;
  const exited = once(watchdog, 'exit').catch(() => undefined);
  watchdog.stdin?.end();
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
  clearTimeout(timer);
}

/** Records a group the harness just started (its leader `pid`), and makes sure a watchdog watches. */
export function recordGroupStart(pid: number, name: string): void {
  const path = ensureRecord();
  if (!path) return;
  const startTime = processStartTime(pid);
  const commandLine = processCommandLine(pid);
  if (startTime === undefined || commandLine === undefined) return; // already gone
  const entry: RecordedGroup = { op: 'start', pgid: pid, startTime, commandDigest: commandDigest(commandLine), command: (recordedArgv([commandLine])[0] ?? '').slice(0, 300), name, runId: RUN_ID, at: new Date().toISOString() };
  try {
    appendFileSync(path, `${JSON.stringify(entry)}\n`);
  } catch {
    return;
  }
  // At once, in the same tick as the first group's spawn: a harness killed before a deferred start
  // (a busy machine can leave it unscheduled for 200 ms) left its worker running until the next
  // sweep (seen in the chaos test). One spawn per run, a few milliseconds.
  if (!watchdogStarted) {
    watchdogStarted = true;
    startWatchdog(path);
  }
}

/** Records that nothing of the group runs any more. */
export function recordGroupEnd(pid: number): void {
  if (!recordFile) return;
  try {
    appendFileSync(recordFile, `${JSON.stringify({ op: 'end', pgid: pid })}\n`);
  } catch {
    // the record is gone (swept): nothing to update
  }
}

/** On a normal exit with every group ended, the record has nothing left to say. */
function removeRecordIfClean(): void {
  if (!recordFile) return;
  if (readRecord(recordFile)?.groups.length === 0) {
    try {
      unlinkSync(recordFile);
    } catch {
      // already gone
    }
  }
}
