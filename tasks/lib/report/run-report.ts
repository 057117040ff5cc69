import { constants } from 'node:os';
import { HarnessError, toHarnessError, type Evidence } from '../errors/harness-error.ts';
import { shutdownSignal } from '../process/guard-registry.ts';
import { formatDuration } from '../time/format-duration.ts';
import type { CheckResult, LogRecord, Verdict } from './check-result.ts';
import { Timeline, type TimelineEvent, type TimelineSpan } from './timeline.ts';

/**
 * What a check body may return: a detail line, or a detail plus evidence. `notJudged`: the check
 * ran but what it saw cannot decide it either way (a job that ended mid-check): recorded as a
 * skip whose detail says why, with its evidence; not judged is not failed.
 */
export type CheckOutcome = string | void | { detail: string; evidence?: Evidence; notJudged?: boolean };

export interface ReportJson {
  tool: 'hivecheck';
  task: string;
  verdict: 'pass' | 'fail' | 'interrupted';
  exitCode: number;
  interrupted: boolean;
  /** The signal that interrupted the run, when one did. */
  interruptedBy?: string;
  startedAt: string;
  durationMs: number;
  summary: { passed: number; failed: number; skipped: number; interrupted: number };
  settings: Record<string, unknown>;
  checks: CheckResult[];
  logs: LogRecord[];
  /** What happened when (ms since the run started): processes, probes, heartbeats, frames, faults, checks. */
  timeline: { events: TimelineEvent[]; dropped: number };
  /** In a merged report (merge-reports, fleet): one entry per node or shard, from its own report. */
  nodes?: NodeOutcome[];
  /** A task's own verdict when it has one (canary:check: promote / hold / rollback); it set the exit code. */
  decision?: TaskDecision;
  /** Set when the run stopped on an error outside any check (usage, environment). */
  error?: { code: string; kind: string; message: string; hint?: string; evidence: Evidence };
}

/** How one node's (or shard's) run ended, as its own report said. */
export interface NodeOutcome {
  node: string;
  /** Where its report was read from. */
  source: string;
  task: string;
  verdict: ReportJson['verdict'] | 'missing';
  exitCode: number;
  summary: ReportJson['summary'];
  startedAt?: string;
  durationMs?: number;
}

/** A verdict beyond pass/fail, and the exit code it maps to (documented by the task). */
export interface TaskDecision {
  verdict: string;
  exitCode: number;
  reason?: string;
}

/** What a check is recorded with besides its outcome: the node it ran against. */
export type CheckMeta = Pick<CheckResult, 'node'>;

/** The part of a report a flow records checks through: the run's report, or one node's view of it (`NodeReport`). */
export type CheckRecorder = Pick<RunReport, 'check' | 'skip' | 'result'>;

type CheckListener = (event: { phase: 'start'; name: string } | { phase: 'end'; result: CheckResult }) => void;

interface RunningCheck {
  name: string;
  started: number;
  span: TimelineSpan;
}

/**
 * Collects the checks of one run. `check()` times a body, turns a thrown error into a failed
 * check with its evidence, and never throws itself, so one failing check does not hide the
 * others unless the caller decides to stop.
 *
 * Interrupts (Ctrl-C, SIGTERM): once the harness is shutting down no new check starts, a check
 * that ends while it is shutting down without passing is recorded as `interrupted` (what it saw
 * was most likely the teardown the harness itself caused, never the subject's fault), and
 * `interruptRunning()` records the checks still running when the report is written, so the
 * screen, report.json and junit.xml list the same checks.
 */
export class RunReport {
  readonly checks: CheckResult[] = [];
  readonly logs = new Map<string, LogRecord>();
  readonly startedAt = new Date();
  readonly #started = performance.now();
  /** Events of the run, on the same clock as the checks; library code reaches it through `currentTimeline()`. */
  readonly timeline = new Timeline(this.#started);
  settings: Record<string, unknown> = {};
  error: HarnessError | undefined;
  /** The signal that interrupted the run (Ctrl-C), if one did. */
  interruptedBy: NodeJS.Signals | undefined;
  /** Set by a task that decides more than pass/fail; decides the exit code unless interrupted or errored. */
  decision: TaskDecision | undefined;
  /** Task-specific top-level sections of report.json (canary:check writes `canary`). */
  readonly sections: Record<string, unknown> = {};
  #listener: CheckListener | undefined;
  readonly #running = new Set<RunningCheck>();
  /** Checks the task means to run, in order: an interrupted report lists those that never ran. */
  readonly #expected: string[] = [];

  constructor(readonly task: string) {}

  onCheck(listener: CheckListener): void {
    this.#listener = listener;
  }

  async check<T extends CheckOutcome>(name: string, body: () => Promise<T>, meta: CheckMeta = {}): Promise<boolean> {
    if (this.#stopping()) return false;
    this.#listener?.({ phase: 'start', name });
    const running: RunningCheck = { name, started: performance.now(), span: this.timeline.span({ lane: 'checks', kind: 'check', label: name }) };
    this.#running.add(running);
    let result: CheckResult;
    try {
      const outcome = await body();
      const detail = typeof outcome === 'string' ? outcome : outcome ? outcome.detail : 'ok';
      const evidence = typeof outcome === 'object' && outcome ? (outcome.evidence ?? {}) : {};
      const verdict = typeof outcome === 'object' && outcome?.notJudged ? 'skip' : 'pass';
      result = { name, verdict, durationMs: performance.now() - running.started, detail, evidence, ...meta };
    } catch (thrown) {
      const error = toHarnessError(thrown);
      const signal = this.#stopping();
      if (signal) {
        result = { ...this.#interruptedResult(running, signal, { code: error.code, message: error.message }, error.evidence), ...meta };
      } else {
        result = { name, verdict: 'fail', durationMs: performance.now() - running.started, detail: error.message, code: error.code, hint: error.hint, evidence: error.evidence, ...meta };
        if (error.kind !== 'check') this.error ??= error;
      }
    }
    // Already recorded as interrupted when the report was written on a signal.
    if (!this.#running.delete(running)) return false;
    this.#record(result, running.span);
    return result.verdict === 'pass';
  }

  /** Declares checks the task means to run: if the run is interrupted first, the report lists them as not run. */
  expect(names: readonly string[]): void {
    for (const name of names) if (!this.#expected.includes(name)) this.#expected.push(name);
  }

  /** Records every expected check that never started as skipped: not run, and why (the runner calls this on an interrupt). */
  recordNotRun(signal: NodeJS.Signals): void {
    const done = new Set(this.checks.map((check) => check.name));
    for (const name of this.#expected) {
      if (done.has(name)) continue;
      const result: CheckResult = { name, verdict: 'skip', durationMs: 0, detail: `not run: the run was interrupted by ${signal} first`, evidence: {} };
      this.checks.push(result);
      this.#listener?.({ phase: 'end', result });
    }
  }

  /** Records a check decided outside `check()`, also while the run is shutting down (the teardown the signal caused). */
  record(result: CheckResult): void {
    this.checks.push(result);
    this.#listener?.({ phase: 'end', result });
  }

  /** Records every check still running as interrupted (the runner calls this before writing an interrupted report). */
  interruptRunning(signal: NodeJS.Signals): void {
    for (const running of [...this.#running]) {
      this.#running.delete(running);
      this.#record(this.#interruptedResult(running, signal), running.span);
    }
  }

  /**
   * Records as interrupted the failed checks whose process was killed by `signal`, the signal
   * that interrupted the harness: a scheduler cancelling a job signals every process of it (Slurm
   * the deepest first, so the subject dies before the harness has seen its own SIGTERM), and the
   * check that watched the subject failed on a death the interrupt caused, not the subject. The
   * failure stays in the evidence (`sawWhenInterrupted`).
   */
  interruptKilledBy(signal: NodeJS.Signals): void {
    this.checks.forEach((check, i) => {
      const exit = check.evidence.exit as { signal?: unknown } | undefined;
      if (check.verdict !== 'fail' || check.code !== 'PROCESS_EXITED' || exit?.signal !== signal) return;
      const interrupted: CheckResult = { ...check, verdict: 'interrupted', detail: `cut short by ${signal}: ${check.detail}`, evidence: { ...check.evidence, sawWhenInterrupted: { code: check.code, message: check.detail } } };
      delete interrupted.code;
      delete interrupted.hint;
      this.checks[i] = interrupted;
    });
  }

  /** What the check had observed when the signal came stays in the evidence (e.g. the events a stream had read). */
  #interruptedResult(running: RunningCheck, signal: NodeJS.Signals, sawWhenInterrupted?: { code: string; message: string }, observed: Record<string, unknown> = {}): CheckResult {
    const durationMs = performance.now() - running.started;
    return {
      name: running.name,
      verdict: 'interrupted',
      durationMs,
      detail: `cut short by ${signal} after ${formatDuration(durationMs)}, before it could decide`,
      evidence: sawWhenInterrupted ? { ...observed, sawWhenInterrupted } : {},
    };
  }

  #record(result: CheckResult, span: TimelineSpan): void {
    this.checks.push(result);
    span.end(result.verdict === 'pass' ? 'ok' : result.verdict === 'interrupted' ? 'interrupted' : result.verdict === 'skip' ? 'warn' : 'error', { verdict: result.verdict, detail: result.detail, ...(result.code ? { code: result.code } : {}) });
    this.#listener?.({ phase: 'end', result });
  }

  /** The signal the run is being interrupted by, if any. */
  #stopping(): NodeJS.Signals | undefined {
    return this.interruptedBy ?? shutdownSignal();
  }

  /** Records a check that was not run, and why. */
  skip(name: string, reason: string, meta: CheckMeta = {}): void {
    if (this.#stopping()) return; // after an interrupt "not run" is not news, and would differ between screen and file
    const result: CheckResult = { name, verdict: 'skip', durationMs: 0, detail: reason, evidence: {}, ...meta };
    this.checks.push(result);
    this.#listener?.({ phase: 'end', result });
  }

  /** Records a failure that happened outside a check (bad flags, missing model, spawn failed). */
  fail(error: unknown): void {
    if (this.#stopping()) return; // an error caused by the teardown of an interrupted run is not the run's failure
    this.error ??= toHarnessError(error);
  }

  /** The recorded result of the check with this name (the latest, if the name was used twice). */
  result(name: string): CheckResult | undefined {
    return this.checks.findLast((check) => check.name === name);
  }

  attachLog(log: LogRecord): void {
    this.logs.set(log.name, log);
  }

  count(verdict: Verdict): number {
    return this.checks.filter((check) => check.verdict === verdict).length;
  }

  get interrupted(): boolean {
    return this.interruptedBy !== undefined;
  }

  get exitCode(): number {
    if (this.interruptedBy) return 128 + (constants.signals[this.interruptedBy] ?? 2);
    if (this.error) return this.error.exitCode;
    if (this.decision) return this.decision.exitCode;
    return this.count('fail') > 0 || this.checks.length === 0 ? 1 : 0;
  }

  toJSON(): ReportJson {
    const json: ReportJson = {
      tool: 'hivecheck',
      task: this.task,
      verdict: this.interrupted ? 'interrupted' : this.exitCode === 0 ? 'pass' : 'fail',
      exitCode: this.exitCode,
      interrupted: this.interrupted,
      ...(this.interruptedBy ? { interruptedBy: this.interruptedBy } : {}),
      startedAt: this.startedAt.toISOString(),
      durationMs: Math.round(performance.now() - this.#started),
      summary: { passed: this.count('pass'), failed: this.count('fail'), skipped: this.count('skip'), interrupted: this.count('interrupted') },
      settings: this.settings,
      checks: this.checks.map((check) => ({ ...check, durationMs: Math.round(check.durationMs * 10) / 10 })),
      logs: [...this.logs.values()],
      timeline: this.timeline.toJSON(),
    };
    if (this.decision) json.decision = this.decision;
    Object.assign(json, this.sections);
    if (this.error) {
      json.error = { code: this.error.code, kind: this.error.kind, message: this.error.message, evidence: this.error.evidence };
      if (this.error.hint) json.error.hint = this.error.hint;
    }
    return json;
  }
}
