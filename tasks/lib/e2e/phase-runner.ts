import type { CheckOutcome, CheckRecorder } from '../report/run-report.ts';
import { currentTimeline } from '../report/timeline.ts';

/** The flow's phases, in order, as the seed numbers them. */
export const PHASES = [
  { id: '1', title: 'worker registry' },
  { id: '2', title: 'pool preflight' },
  { id: '3-5', title: 'worker spawn' },
  { id: '6', title: 'worker registration' },
  { id: '7', title: 'worker ready' },
  { id: '8', title: 'inference' },
] as const;

export type PhaseId = (typeof PHASES)[number]['id'];

export const phaseCheckName = (id: PhaseId): string => `Phase ${id}: ${PHASES.find((phase) => phase.id === id)?.title}`;

/**
 * Runs the phases one after another, each a check of the report and a span on the run
 * timeline's `phases` lane, and prints the keeper's `[Phase N] ✓/✗/⛔` line (⛔: cut short by a signal). The first failure
 * stops the flow: the phases after it are recorded as skipped ("not reached").
 */
export class PhaseRunner {
  #failed: PhaseId | undefined;

  constructor(
    /** The run's report, or one node's view of it (whose `name` prefixes the node, for the timeline too). */
    readonly report: CheckRecorder & { name?: (check: string) => string },
    readonly print: (line: string) => void,
  ) {}

  get failedPhase(): PhaseId | undefined {
    return this.#failed;
  }

  /** Runs one phase; resolves with its value, or undefined when it (or an earlier one) failed. */
  async run<T>(id: PhaseId, body: () => Promise<{ value: T; outcome: CheckOutcome }>): Promise<T | undefined> {
    const name = phaseCheckName(id);
    if (this.#failed) {
      this.report.skip(name, `not reached: Phase ${this.#failed} failed`);
      this.print(`[Phase ${id}] ⏸ ${name.split(': ')[1]}: not reached`);
      return undefined;
    }
    const span = currentTimeline().span({ lane: 'phases', kind: 'phase', label: this.report.name?.(name) ?? name });
    let value: T | undefined;
    const passed = await this.report.check(name, async () => {
      const result = await body();
      value = result.value;
      return result.outcome;
    });
    const check = this.report.result(name);
    span.end(passed ? 'ok' : 'error', check ? { detail: check.detail, ...(check.code ? { code: check.code } : {}) } : undefined);
    const mark = passed ? '✓' : check?.verdict === 'interrupted' ? '⛔' : '✗';
    this.print(`[Phase ${id}] ${mark} ${name.split(': ')[1]}: ${check?.detail ?? ''}${!passed && check?.hint ? ` (fix: ${check.hint})` : ''}`);
    if (!passed) {
      this.#failed = id;
      return undefined;
    }
    return value;
  }

  /** Records every phase not run yet as skipped (the flow stopped before them). */
  skipRest(reason: string): void {
    for (const phase of PHASES) {
      const name = phaseCheckName(phase.id);
      if (!this.report.result(name)) this.report.skip(name, reason);
    }
  }
}
