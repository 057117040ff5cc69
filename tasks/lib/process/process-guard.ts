import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, createWriteStream, mkdirSync, openSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { HarnessError } from '../errors/harness-error.ts';
import { currentTimeline } from '../report/timeline.ts';
import { formatDuration } from '../time/format-duration.ts';
import { recordGroupEnd, recordGroupStart } from './group-record.ts';
import { shutdownSignal, trackGuard, untrackGuard } from './guard-registry.ts';
import { LineRingBuffer } from './line-ring-buffer.ts';
import { liveGroupMembers, signalGroup } from './process-groups.ts';
import { Redactor } from './redact.ts';

export type OutputStream = 'stdout' | 'stderr';

export interface GuardOptions {
  /** Short name used in messages and log file names: `worker`, `mock-hive`. */
  name: string;
  command: string;
  args?: readonly string[];
  cwd?: string;
  /** Added to (and overriding) the harness's own environment. */
  env?: Record<string, string | undefined>;
  /** Where stdout and stderr are written, line by line, redacted. */
  logFile?: string;
  /** Lines kept in memory for `tail()`. */
  ringLines?: number;
  /** Time between SIGTERM and SIGKILL on teardown. */
  graceMs?: number;
  /** Literal values that must never appear in logs (tokens passed on the command line). */
  secrets?: readonly string[];
  /** A command that is part of a teardown (scancel of a Slurm job): it may start while the harness is stopping. */
  teardown?: boolean;
  /** Called for every output line (already redacted): live echo, line waits. */
  onLine?: (line: string, stream: OutputStream) => void;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface StopReport {
  /** The strongest signal that was needed: `none` when the process had already exited. */
  signal: 'none' | 'SIGTERM' | 'SIGKILL';
  durationMs: number;
  exit: ExitInfo | undefined;
  /** Pids of the group still running after teardown (should always be empty). */
  survivors: number[];
  /** The process had exited on its own (or been killed by someone else) before teardown began. */
  exitedBeforeStop: boolean;
}

export const DEFAULT_GRACE_MS = 3000;
const KILL_CONFIRM_MS = 2000;
const OUTPUT_DRAIN_MS = 1000;
const POLL_MS = 10;

/** Opens (creates) a log file before anything is spawned, so a bad log directory costs no process. */
function openLogFile(path: string, name: string): number {
  try {
    mkdirSync(dirname(path), { recursive: true });
    return openSync(path, 'a');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new HarnessError('LOG_DIR_NOT_WRITABLE', `cannot write the log of ${name} to ${path} (${code ?? (error as Error).message})`, {
      kind: 'environment',
      cause: error,
      evidence: { logFile: path },
      hint: 'pass --report <dir> with a writable directory (logs go to <dir>/logs), or free up the disk',
    });
  }
}

/**
 * The fix a process's exit points at: what its last output line says (usually the reason, an
 * exception or an error message), or that it said nothing.
 */
/** A log line that speaks of a death: a crash, an abort, a kill, running out of memory. */
const DEATH_WORDS = /\b(?:fatal|panic(?:ked)?|abort(?:ed|ing)?|crash(?:ed|ing)?|kill(?:ed|ing)?|sig(?:kill|segv|abrt|bus|ill|fpe)|segmentation fault|segfault|core dumped|out of memory|oom|bad_alloc|exception)\b/i;

/** A run of id characters joined by `-` or `_` (`job-001`, `outside-kill-c6c2c81f`, `kill-self-at-step`). */
const JOINED_WORDS = /[A-Za-z0-9.]*[-_][A-Za-z0-9._-]*/g;

/**
 * Whether a log line speaks of a death, read without the ids it carries: a joined run with a digit
 * in it (`outside-kill-c6c2c81f-job-001`) names a thing, so a worker named `…-kill-…` is not a kill.
 */
function speaksOfDeath(line: string): boolean {
  return DEATH_WORDS.test(line.replace(JOINED_WORDS, (run) => (/\d/.test(run) ? ' ' : run)));
}

/**
 * The fix line for a process that exited on its own. An exit code: its last log line says why
 * (it printed its error before exiting). A signal the harness did not send: it was killed from
 * outside (the OOM killer, a `kill -9`, a supervisor); a log line is quoted only when one of its
 * last lines speaks of the death, never a last line that merely happened to be printed before.
 */
export function exitHint(logTail: readonly string[], exit?: { signal: NodeJS.Signals | null; code: number | null }): string {
  const lines = logTail.filter((line) => line.trim() !== '');
  const last = lines.at(-1);
  if (exit?.signal) {
    const related = lines.slice(-5).reverse().find(speaksOfDeath);
    const outside = `it was killed by ${exit.signal} from outside the harness (the harness had not stopped it)`;
    if (related) return `${outside}; its log says: ${JSON.stringify(related.trim().slice(0, 200))} (more in its log below)`;
    return `${outside}: nothing in its last log lines speaks of it; look for who sends ${exit.signal} (the kernel's OOM killer: dmesg; a supervisor or a script running kill)`;
  }
  if (!last) return 'it printed nothing before it exited: run its command by hand to see why';
  return `fix what its log says; its last line: ${JSON.stringify(last.trim().slice(0, 200))} (more in its log below)`;
}

export function describeExit(info: ExitInfo): string {
  if (info.signal) return `was killed by ${info.signal}`;
  return `exited with code ${info.code}`;
}

/**
 * A spawned command in its own process group, with its output captured into a bounded ring
 * buffer and a log file. Disposing it (`await using`) tears the whole group down:
 * SIGTERM → grace → SIGKILL, then waits until no member of the group is running.
 */
export class ProcessGuard implements AsyncDisposable {
  readonly name: string;
  readonly pid: number;
  readonly command: readonly string[];
  readonly logFile: string | undefined;
  /** Resolves when the process exits (output may still be draining). */
  readonly exited: Promise<ExitInfo>;
  /** Resolves when the process exited and its output was read to the end (or briefly waited for). */
  readonly settled: Promise<ExitInfo>;

  readonly #child: ChildProcess;
  readonly #ring: LineRingBuffer;
  readonly #log: WriteStream | undefined;
  readonly #graceMs: number;
  readonly #listeners = new Set<(line: string, stream: OutputStream) => void>();
  readonly #startedAt = performance.now();
  #exitedAt: number | undefined;
  /** The run's timeline, taken at start: teardown may run outside the run's async context (Ctrl-C). */
  readonly #timeline = currentTimeline();
  #exitInfo: ExitInfo | undefined;
  #logFailed = false;
  #stopping: Promise<StopReport> | undefined;
  /** The signals the harness's own teardown sent the group: an exit by another signal was not the harness's doing. */
  readonly #sentSignals = new Set<NodeJS.Signals>();

  private constructor(child: ChildProcess, options: GuardOptions, command: readonly string[], logFd: number | undefined) {
    this.#child = child;
    this.name = options.name;
    this.pid = child.pid as number;
    this.command = command;
    this.logFile = options.logFile;
    this.#graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
    this.#ring = new LineRingBuffer(options.ringLines ?? 1000);
    if (logFd !== undefined) {
      const log = createWriteStream('', { fd: logFd });
      // Disk full or a vanished directory mid-run must not crash the harness: keep the lines in
      // memory (the ring buffer, the report's tail) and say once that the file stopped.
      log.on('error', (error: NodeJS.ErrnoException) => {
        if (this.#logFailed) return;
        this.#logFailed = true;
        this.#ring.push(`[hivecheck] could not write ${options.logFile} (${error.code ?? error.message}); later lines are kept in memory only`);
      });
      this.#log = log;
    }
    if (options.onLine) this.#listeners.add(options.onLine);

    const redactor = Redactor.fromEnv({ ...process.env, ...options.env }, options.secrets ?? []);
    const streamsClosed: Promise<void>[] = [];
    for (const stream of ['stdout', 'stderr'] as const) {
      const input = child[stream];
      if (!input) continue;
      const lines = createInterface({ input, crlfDelay: Infinity });
      lines.on('line', (raw) => this.#accept(redactor.redact(raw), stream));
      streamsClosed.push(new Promise((resolve) => lines.once('close', resolve)));
    }

    const timeline = this.#timeline;
    const lane = `process:${this.name}`;
    timeline.record({ lane, kind: 'process', label: `started pid ${this.pid}`, status: 'info', detail: { command: redactor.redact(command.join(' ')) } });
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.#exitInfo = { code, signal };
        this.#exitedAt = performance.now();
        const byHarness = this.#sentSignals.size > 0 && (signal === null || this.#sentSignals.has(signal));
        timeline.record({ lane, kind: 'process', label: describeExit(this.#exitInfo), status: byHarness || code === 0 ? 'info' : 'error', detail: { code, signal, stoppedByHarness: byHarness } });
        resolve(this.#exitInfo);
      });
    });
    this.settled = this.exited.then(async (info) => {
      const drained = Promise.all(streamsClosed);
      await Promise.race([drained, new Promise((resolve) => setTimeout(resolve, OUTPUT_DRAIN_MS).unref())]);
      return info;
    });
    trackGuard(this);
  }

  /** Spawns the command. Rejects with `SPAWN_FAILED` (an environment error) if it cannot start. */
  static async start(options: GuardOptions): Promise<ProcessGuard> {
    const args = [...(options.args ?? [])];
    const stopping = shutdownSignal();
    if (stopping && !options.teardown) throw new HarnessError('SHUTTING_DOWN', `not starting ${options.name}: the harness is stopping on ${stopping}`);
    const logFd = options.logFile ? openLogFile(options.logFile, options.name) : undefined;
    const child = spawn(options.command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      detached: true, // own session and process group: -pid reaches every descendant
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Recorded at once (libuv has exec'd the child when spawn returns): a harness killed with
    // SIGKILL from here on still has its watchdog, or the next run, kill this group.
    if (child.pid !== undefined) recordGroupStart(child.pid, options.name);
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (error: NodeJS.ErrnoException) => {
        if (logFd !== undefined) closeSync(logFd);
        reject(
          new HarnessError('SPAWN_FAILED', `could not start ${options.name}: ${options.command} (${error.code ?? error.message})`, {
            kind: 'environment',
            cause: error,
            evidence: { command: [options.command, ...args].map((word) => Redactor.fromEnv({ ...process.env, ...options.env }, options.secrets ?? []).redact(word)), cwd: options.cwd },
            hint: error.code === 'ENOENT' ? `check that ${options.command} exists and is executable` : undefined,
          }),
        );
      });
    });
    return new ProcessGuard(child, options, [options.command, ...args], logFd);
  }

  #accept(line: string, stream: OutputStream): void {
    this.#ring.push(line);
    if (!this.#logFailed) this.#log?.write(`${line}\n`);
    for (const listener of this.#listeners) listener(line, stream);
  }

  get exitInfo(): ExitInfo | undefined {
    return this.#exitInfo;
  }

  get running(): boolean {
    return this.#exitInfo === undefined;
  }

  /** How long the process has run (until its exit, once it has exited). */
  get uptimeMs(): number {
    return (this.#exitedAt ?? performance.now()) - this.#startedAt;
  }

  /** The last `n` output lines (stdout and stderr interleaved as they arrived), redacted. */
  tail(n = 30): string[] {
    return this.#ring.tail(n);
  }

  onLine(listener: (line: string, stream: OutputStream) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * The error to raise when this process exits while something was waited for: how long that
   * wait had run (`waitedMs`, when the caller knows it) and, labelled apart, how long the process had run.
   */
  exitedError(waitingFor: string, tailLines = 30, waitedMs?: number): HarnessError {
    const info = this.#exitInfo ?? { code: null, signal: null };
    const uptimeMs = this.uptimeMs;
    const when = waitedMs === undefined ? `it had run ${formatDuration(uptimeMs)}` : `after ${formatDuration(waitedMs)}; it had run ${formatDuration(uptimeMs)}`;
    const logTail = this.tail(tailLines);
    return new HarnessError('PROCESS_EXITED', `${this.name} ${describeExit(info)} while waiting for ${waitingFor} (${when})`, {
      evidence: { process: this.name, exit: info, ...(waitedMs === undefined ? {} : { waitedMs: Math.round(waitedMs) }), uptimeMs: Math.round(uptimeMs), logTail, logFile: this.logFile },
      hint: exitHint(logTail, info),
    });
  }

  /** Resolves with the first output line matching `pattern` (lines already seen count too). */
  async waitForLine(pattern: RegExp, options: { timeoutMs: number; tailLines?: number }): Promise<RegExpMatchArray> {
    const waitStarted = performance.now();
    for (const line of this.#ring.tail()) {
      const match = line.match(pattern);
      if (match) return match;
    }
    const description = `a log line matching ${pattern}`;
    return await new Promise<RegExpMatchArray>((resolve, reject) => {
      let done = false;
      const finish = (action: () => void): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        unsubscribe();
        action();
      };
      const timer = setTimeout(() => {
        finish(() =>
          reject(
            new HarnessError('WAIT_TIMEOUT', `timed out after ${formatDuration(options.timeoutMs)} waiting for ${this.name} to print ${description}`, {
              evidence: { process: this.name, waitedMs: options.timeoutMs, lastObserved: this.tail(1)[0] ?? 'no output', logTail: this.tail(options.tailLines ?? 30) },
            }),
          ),
        );
      }, options.timeoutMs);
      const unsubscribe = this.onLine((line) => {
        const match = line.match(pattern);
        if (match) finish(() => resolve(match));
      });
      void this.settled.then(() => finish(() => reject(this.exitedError(`it to print ${description}`, options.tailLines, performance.now() - waitStarted))));
    });
  }

  /**
   * Tears the process group down: SIGTERM, up to `graceMs` for it to go, then SIGKILL.
   * Idempotent: every caller gets the same report.
   */
  stop(options: { graceMs?: number } = {}): Promise<StopReport> {
    this.#stopping ??= this.#teardown(options.graceMs ?? this.#graceMs);
    return this.#stopping;
  }

  async #teardown(graceMs: number): Promise<StopReport> {
    const started = performance.now();
    const exitedBeforeStop = this.#exitInfo !== undefined;
    let signal: StopReport['signal'] = 'none';
    const gone = (): boolean => this.#exitInfo !== undefined && liveGroupMembers(this.pid).length === 0;

    if (!gone()) {
      signal = 'SIGTERM';
      this.#timeline.record({ lane: `process:${this.name}`, kind: 'process', label: 'SIGTERM (teardown)', status: 'info' });
      this.#sentSignals.add('SIGTERM');
      signalGroup(this.pid, 'SIGTERM');
      // A stopped (SIGSTOPped, hung in a debugger) member keeps SIGTERM pending until it runs
      // again; SIGCONT lets it act on it now instead of costing the whole grace.
      signalGroup(this.pid, 'SIGCONT');
      if (!(await this.#pollUntil(gone, graceMs))) {
        signal = 'SIGKILL';
        this.#timeline.record({ lane: `process:${this.name}`, kind: 'process', label: `SIGKILL (no exit within ${formatDuration(graceMs)} of SIGTERM)`, status: 'warn' });
        this.#sentSignals.add('SIGKILL');
        signalGroup(this.pid, 'SIGKILL');
        await this.#pollUntil(gone, KILL_CONFIRM_MS);
      }
    }
    await Promise.race([this.settled, new Promise((resolve) => setTimeout(resolve, OUTPUT_DRAIN_MS).unref())]);
    await new Promise<void>((resolve) => (this.#log ? this.#log.end(resolve) : resolve()));
    untrackGuard(this);
    const survivors = liveGroupMembers(this.pid);
    if (survivors.length === 0) recordGroupEnd(this.pid);
    return { signal, durationMs: performance.now() - started, exit: this.#exitInfo, survivors, exitedBeforeStop };
  }

  async #pollUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    while (!condition()) {
      if (performance.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    return true;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}
