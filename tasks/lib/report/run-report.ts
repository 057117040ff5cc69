import { constants } from 'node:os';
import { HarnessError, toHarnessError, type Evidence } from '../errors/harness-error.ts';
import type { CheckResult, LogRecord, Verdict } from './check-result.ts';
import { Timeline, type TimelineEvent } from './timeline.ts';

/** What a check body may return: a detail line, or a detail plus evidence. */
export type CheckOutcome = string | void | { detail: string; evidence?: Evidence };

export interface ReportJson {
  tool: 'hivecheck';
  task: string;
  verdict: 'pass' | 'fail';
  exitCode: number;
  interrupted: boolean;
  /** The signal that interrupted the run, when one did. */
  interruptedBy?: string;
  startedAt: string;
  durationMs: number;
  summary: { passed: number; failed: number; skipped: number };
  settings: Record<string, unknown>;
  checks: CheckResult[];
  logs: LogRecord[];
  /** What happened when (ms since the run started): processes, probes, heartbeats, frames, faults, checks. */
  timeline: { events: TimelineEvent[]; dropped: number };
  /** A task's own verdict when it has one (canary:check: promote / hold / rollback); it set the exit code. */
  decision?: TaskDecision;
  /** Set when the run stopped on an error outside any check (usage, environment). */
  error?: { code: string; kind: string; message: string; hint?: string; evidence: Evidence };
}

/** A verdict beyond pass/fail, and the exit code it maps to (documented by the task). */
export interface TaskDecision {
  verdict: string;
  exitCode: number;
  reason?: string;
}

type CheckListener = (event: { phase: 'start'; name: string } | { phase: 'end'; result: CheckResult }) => void;

/**
 * Collects the checks of one run. `check()` times a body, turns a thrown error into a failed
 * check with its evidence, and never throws itself, so one failing check does not hide the
 * others unless the caller decides to stop.
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

  constructor(readonly task: string) {}

  onCheck(listener: CheckListener): void {
    this.#listener = listener;
  }

  async check<T extends CheckOutcome>(name: string, body: () => Promise<T>): Promise<boolean> {
    this.#listener?.({ phase: 'start', name });
    const started = performance.now();
    const span = this.timeline.span({ lane: 'checks', kind: 'check', label: name });
    let result: CheckResult;
    try {
      const outcome = await body();
      const detail = typeof outcome === 'string' ? outcome : outcome ? outcome.detail : 'ok';
      const evidence = typeof outcome === 'object' && outcome ? (outcome.evidence ?? {}) : {};
      result = { name, verdict: 'pass', durationMs: performance.now() - started, detail, evidence };
    } catch (thrown) {
      const error = toHarnessError(thrown);
      result = { name, verdict: 'fail', durationMs: performance.now() - started, detail: error.message, code: error.code, hint: error.hint, evidence: error.evidence };
      if (error.kind !== 'check') this.error ??= error;
    }
    this.checks.push(result);
    span.end(result.verdict === 'pass' ? 'ok' : 'error', { verdict: result.verdict, detail: result.detail, ...(result.code ? { code: result.code } : {}) });
    this.#listener?.({ phase: 'end', result });
    return result.verdict === 'pass';
  }

  /** Records a check that was not run, and why. */
  skip(name: string, reason: string): void {
    const result: CheckResult = { name, verdict: 'skip', durationMs: 0, detail: reason, evidence: {} };
    this.checks.push(result);
    this.#listener?.({ phase: 'end', result });
  }

  /** Records a failure that happened outside a check (bad flags, missing model, spawn failed). */
  fail(error: unknown): void {
    this.error ??= toHarnessError(error);
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
      verdict: this.exitCode === 0 ? 'pass' : 'fail',
      exitCode: this.exitCode,
      interrupted: this.interrupted,
      ...(this.interruptedBy ? { interruptedBy: this.interruptedBy } : {}),
      startedAt: this.startedAt.toISOString(),
      durationMs: Math.round(performance.now() - this.#started),
      summary: { passed: this.count('pass'), failed: this.count('fail'), skipped: this.count('skip') },
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
