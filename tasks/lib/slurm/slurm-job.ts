import { spawnSync } from 'node:child_process';
import { HarnessError } from '../errors/harness-error.ts';
import { trackGuard, untrackGuard, type Stoppable } from '../process/guard-registry.ts';
import type { ProcessGuard } from '../process/process-guard.ts';
import { currentTimeline } from '../report/timeline.ts';
import { formatDuration } from '../time/format-duration.ts';
import { jobState, slurmClient } from './slurm-client.ts';

/** How each node's task ended, as srun reported it (`n2: task 1: Exited with exit code 1`). */
export interface TaskExit {
  node: string;
  task: number;
  exitCode: number;
  /** srun's words: `Completed`, `Exited with exit code 1`, `Killed by signal 9`. */
  said: string;
}

const GRANTED = /^srun: jobid (\d+): nodes\(\d+\):`([^']*)'/;
const QUEUED = /^srun: job (\d+) queued and waiting for resources/;
const TASK_END = /\b(\S+): tasks? ([\d,-]+): (Completed|Exited with exit code (\d+)|Killed by signal (\d+).*)$/;

/**
 * A Slurm job started by one `srun` (its allocation and step live as long as srun does). Reads
 * the job id, node list and each task's end from srun's output as they are printed. `stop()`
 * (Ctrl-C, SIGTERM, dispose) cancels the job with `scancel` and waits until srun has exited and
 * the job has left the queue, so nothing is left queued or running; the guard registry stops it
 * in place of srun's own guard when the harness is interrupted. scancel goes first: Slurm sends
 * every node's task SIGTERM (SIGKILL after its KillWait), so each node's harness tears its worker
 * down and writes its report; srun then exits by itself, and is stopped only if it does not.
 */
export class SlurmJob implements Stoppable, AsyncDisposable {
  /**
   * The run's timeline, taken when the job is made: a Ctrl-C cancels the job from the signal
   * handler, outside the run's async context, where `currentTimeline()` goes nowhere.
   */
  readonly #timeline = currentTimeline();
  readonly name: string;
  readonly pid: number;
  jobId: string | undefined;
  nodelist: string | undefined;
  readonly taskExits: TaskExit[] = [];
  #stopping: Promise<void> | undefined;
  #changed: () => void = () => undefined;
  readonly #onCancelled: (() => void | Promise<void>)[] = [];

  constructor(
    readonly srun: ProcessGuard,
    readonly jobName: string,
    readonly cancelTimeoutMs = 30_000,
  ) {
    this.name = `slurm job ${jobName}`;
    this.pid = srun.pid;
    // Stopped through the job (scancel first), not by a SIGTERM of its own that would make srun kill the tasks at once.
    untrackGuard(srun);
    const unsubscribe = srun.onLine((line) => this.#read(line));
    void srun.settled.then(() => {
      unsubscribe();
      this.#changed();
    });
    trackGuard(this);
    process.once('exit', this.#lastResort);
  }

  /**
   * The harness exits while the job may still run (a second Ctrl-C, a fatal error): only
   * synchronous work is possible then, so scancel is run and waited for (bounded) right there.
   */
  readonly #lastResort = (): void => {
    if (this.srun.exitInfo && !this.#stopping) return;
    spawnSync('scancel', this.jobId ? [this.jobId] : [`--name=${this.jobName}`], { stdio: 'ignore', timeout: 5000 });
  };

  #untrack(): void {
    untrackGuard(this);
    process.removeListener('exit', this.#lastResort);
  }

  #read(line: string): void {
    const text = line.replace(/^\d+: /, '');
    const granted = text.match(GRANTED);
    const queued = text.match(QUEUED);
    if (granted) {
      this.jobId = granted[1];
      this.nodelist = granted[2];
      this.#timeline.record({ lane: 'process:srun', kind: 'note', label: `job ${this.jobId} on ${this.nodelist}`, status: 'ok' });
    } else if (queued && !this.jobId) {
      this.jobId = queued[1];
      this.#timeline.record({ lane: 'process:srun', kind: 'note', label: `job ${this.jobId} queued`, status: 'not-ready' });
    }
    const end = text.match(TASK_END);
    if (end && text.startsWith('srun:')) {
      const exitCode = end[4] !== undefined ? Number(end[4]) : end[5] !== undefined ? 128 + Number(end[5]) : 0;
      for (const task of expandRange(end[2] as string)) this.taskExits.push({ node: end[1] as string, task, exitCode, said: end[3] as string });
    }
    this.#changed();
  }

  /** Waits for the job id (printed when the job is queued or granted); fails fast when srun exits first. */
  async waitForJobId(timeoutMs: number): Promise<string> {
    const started = performance.now();
    for (;;) {
      if (this.jobId) return this.jobId;
      if (this.srun.exitInfo) throw this.srun.exitedError('srun to submit the job', 30);
      const waited = performance.now() - started;
      if (waited >= timeoutMs) throw new HarnessError('SLURM_SUBMIT_TIMEOUT', `srun printed no job id within ${formatDuration(timeoutMs)}`, { kind: 'environment', evidence: { process: 'srun', logTail: this.srun.tail(30) }, hint: 'is slurmctld up (scontrol ping, sinfo)?' });
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs - waited);
        this.#changed = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Cancels the job and waits until srun has exited and squeue no longer lists it. Idempotent. */
  stop(): Promise<void> {
    return (this.#stopping ??= this.#cancel());
  }

  async #cancel(): Promise<void> {
    const span = this.#timeline.span({ lane: 'process:srun', kind: 'note', label: 'scancel' });
    // Until the id is printed the unique job name finds it (a job still being submitted).
    await slurmClient('scancel', this.jobId ? [this.jobId] : [`--name=${this.jobName}`]);
    const deadline = performance.now() + this.cancelTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), this.cancelTimeoutMs)));
    const srunEnded = await Promise.race([this.srun.settled, late]).finally(() => clearTimeout(timer));
    if (srunEnded === 'late') await this.srun.stop();
    for (const listener of this.#onCancelled) await listener();
    let state: string | undefined;
    while (this.jobId && (state = await jobState(this.jobId)) !== undefined) {
      if (performance.now() > deadline) {
        span.end('error', { state });
        throw new HarnessError('SLURM_CANCEL_TIMEOUT', `job ${this.jobId} still ${state} ${formatDuration(this.cancelTimeoutMs)} after scancel`, { kind: 'environment', hint: `scancel --signal=KILL ${this.jobId}; check the nodes' slurmd logs` });
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    span.end('ok', { jobId: this.jobId ?? null }, `job ${this.jobId ?? this.jobName} cancelled, gone from the queue`);
    this.#untrack();
  }

  /** Runs once the job is cancelled and srun has exited (the nodes have written what they could). */
  onCancelled(listener: () => void | Promise<void>): void {
    this.#onCancelled.push(listener);
  }

  /** After srun exited on its own: untracks the job (nothing to cancel). */
  release(): void {
    this.#untrack();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (this.srun.exitInfo && !this.#stopping) {
      this.release();
      return;
    }
    await this.stop();
  }
}

function expandRange(text: string): number[] {
  return text.split(',').flatMap((part) => {
    const [from, to] = part.split('-').map(Number);
    if (to === undefined || !Number.isFinite(to)) return [from as number];
    return Array.from({ length: (to as number) - (from as number) + 1 }, (_, i) => (from as number) + i);
  });
}
