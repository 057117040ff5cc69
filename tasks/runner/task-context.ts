import { join } from 'node:path';
import type { Flags } from '../lib/cli/flag-spec.ts';
import type { Reporter } from '../lib/output/reporter.ts';
import { describeStop } from '../lib/process/describe-stop.ts';
import { ProcessGuard, type GuardOptions } from '../lib/process/process-guard.ts';
import type { RunReport } from '../lib/report/run-report.ts';

export interface ExtraLog {
  path?: string;
  lines: () => string[];
}

/**
 * What a task gets from the runner: the report to record checks in, the progress reporter,
 * the run directory for logs, and `start()` to spawn processes whose logs land in the run
 * directory and whose tails end up in the summary when something fails.
 */
export class TaskContext {
  readonly guards: ProcessGuard[] = [];
  readonly #extraLogs = new Map<string, ExtraLog>();
  /** When each output line of a process arrived (run timeline ms), kept as long as its ring keeps lines. */
  readonly #lineTimes = new Map<ProcessGuard, number[]>();
  /** Guards whose teardown the task reports as a check, and that check's name. */
  readonly #teardownChecks = new Map<ProcessGuard, string>();

  constructor(
    readonly report: RunReport,
    readonly out: Reporter,
    readonly runDir: string,
    readonly flags: Flags,
    readonly tailLines: number,
    /** Where the user ran the command (INIT_CWD under npm run): user paths resolve from here. */
    readonly cwd: string = process.cwd(),
  ) {}

  /** Starts a guarded process logging to `<runDir>/<name>.log`. Names are made unique per run. */
  async start(options: GuardOptions): Promise<ProcessGuard> {
    const taken = new Set(this.guards.map((guard) => guard.name));
    let name = options.name;
    for (let n = 2; taken.has(name); n += 1) name = `${options.name}-${n}`;
    const guard = await ProcessGuard.start({ logFile: join(this.runDir, `${name}.log`), ...options, name });
    this.guards.push(guard);
    const times: number[] = [];
    const keep = options.ringLines ?? 1000;
    this.#lineTimes.set(guard, times);
    guard.onLine(() => {
      times.push(Math.round(this.report.timeline.now() * 10) / 10);
      if (times.length > keep * 2) times.splice(0, times.length - keep);
    });
    return guard;
  }

  /**
   * Names the check that reports this guard's teardown (`teardown`, `worker-2 teardown`). The task
   * records it itself on a normal run; on an interrupt the runner records it from the stop the
   * signal handler did, so the summary still says how the process went.
   */
  nameTeardown(guard: ProcessGuard, name: string): void {
    this.#teardownChecks.set(guard, name);
  }

  /** On an interrupt: a teardown check for every named guard whose check was not recorded yet. */
  async recordInterruptedTeardowns(): Promise<void> {
    const done = new Set(this.report.checks.map((check) => check.name));
    for (const [guard, name] of this.#teardownChecks) {
      if (done.has(name)) continue;
      const started = performance.now();
      const stop = await guard.stop();
      const left = stop.survivors.length > 0;
      this.report.record({
        name,
        verdict: left ? 'fail' : 'pass',
        durationMs: performance.now() - started,
        detail: left ? `${guard.name}: processes ${stop.survivors.join(', ')} of its group survived SIGKILL` : describeStop(stop),
        ...(left ? { code: 'PROCESS_LEFT_BEHIND' } : {}),
        evidence: { stop },
      });
    }
  }

  /** A log that is not a process's output (the hive's heartbeat log), shown on failure. */
  attachLog(name: string, log: ExtraLog): void {
    this.#extraLogs.set(name, log);
  }

  /** Copies every tail into the report; called by the runner once the task is over. */
  collectLogs(): void {
    for (const guard of this.guards) {
      const tail = guard.tail(this.tailLines);
      const times = this.#lineTimes.get(guard) ?? [];
      this.report.attachLog({ name: guard.name, path: guard.logFile, tail, ...(times.length >= tail.length ? { times: times.slice(times.length - tail.length) } : {}) });
    }
    for (const [name, log] of this.#extraLogs) this.report.attachLog({ name, path: log.path, tail: log.lines().slice(-this.tailLines) });
  }

  async stopAll(): Promise<void> {
    await Promise.allSettled(this.guards.map((guard) => guard.stop()));
  }
}
