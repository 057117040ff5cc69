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
 * with the other guards when the harness is interrupted.
 */
export class SlurmJob implements Stoppable, AsyncDisposable {
  readonly name: string;
  readonly pid: number;
  jobId: string | undefined;
  nodelist: string | undefined;
  readonly taskExits: TaskExit[] = [];
  #stopping: Promise<void> | undefined;
  #changed: () => void = () => undefined;

  constructor(
    readonly srun: ProcessGuard,
    readonly jobName: string,
    readonly cancelTimeoutMs = 30_000,
  ) {
    this.name = `slurm job ${jobName}`;
    this.pid = srun.pid;
    const unsubscribe = srun.onLine((line) => this.#read(line));
    void srun.settled.then(() => {
      unsubscribe();
      this.#changed();
    });
    trackGuard(this);
  }

  #read(line: string): void {
    const text = line.replace(/^\d+: /, '');
    const granted = text.match(GRANTED);
    const queued = text.match(QUEUED);
    if (granted) {
      this.jobId = granted[1];
      this.nodelist = granted[2];
      currentTimeline().record({ lane: 'process:srun', kind: 'note', label: `job ${this.jobId} on ${this.nodelist}`, status: 'ok' });
    } else if (queued && !this.jobId) {
      this.jobId = queued[1];
      currentTimeline().record({ lane: 'process:srun', kind: 'note', label: `job ${this.jobId} queued`, status: 'not-ready' });
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
    const span = currentTimeline().span({ lane: 'process:srun', kind: 'note', label: 'scancel' });
    // Until the id is printed the unique job name finds it (a job still being submitted).
    await slurmClient('scancel', this.jobId ? [this.jobId] : [`--name=${this.jobName}`]);
    await this.srun.stop();
    const deadline = performance.now() + this.cancelTimeoutMs;
    let state: string | undefined;
    while (this.jobId && (state = await jobState(this.jobId)) !== undefined) {
      if (performance.now() > deadline) {
        span.end('error', { state });
        throw new HarnessError('SLURM_CANCEL_TIMEOUT', `job ${this.jobId} still ${state} ${formatDuration(this.cancelTimeoutMs)} after scancel`, { kind: 'environment', hint: `scancel --signal=KILL ${this.jobId}; check the nodes' slurmd logs` });
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    span.end('ok', { jobId: this.jobId ?? null }, `job ${this.jobId ?? this.jobName} cancelled, gone from the queue`);
    untrackGuard(this);
  }

  /** After srun exited on its own: untracks the job (nothing to cancel). */
  release(): void {
    untrackGuard(this);
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
