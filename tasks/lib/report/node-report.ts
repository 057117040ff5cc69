import type { CheckResult } from './check-result.ts';
import type { CheckOutcome, CheckRecorder, RunReport } from './run-report.ts';

/**
 * One node's view of a run over several nodes: its checks are named `[node] <check>` and carry
 * `node`, so the screen, report.json, junit.xml and report.html show a row per node and check.
 */
export class NodeReport implements CheckRecorder {
  constructor(
    readonly report: RunReport,
    readonly node: string,
  ) {}

  name(check: string): string {
    return `[${this.node}] ${check}`;
  }

  check<T extends CheckOutcome>(name: string, body: () => Promise<T>): Promise<boolean> {
    return this.report.check(this.name(name), body, { node: this.node });
  }

  skip(name: string, reason: string): void {
    this.report.skip(this.name(name), reason, { node: this.node });
  }

  result(name: string): CheckResult | undefined {
    return this.report.result(this.name(name));
  }

  /** This node's checks, in the order they ended. */
  checks(): CheckResult[] {
    return this.report.checks.filter((check) => check.node === this.node);
  }
}
