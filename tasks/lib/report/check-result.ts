import type { Evidence } from '../errors/harness-error.ts';

/** `interrupted`: the run was interrupted (Ctrl-C, SIGTERM) while the check ran; its outcome is unknown. */
export type Verdict = 'pass' | 'fail' | 'skip' | 'interrupted';

/** One named check of a run: what was checked, how it went, and what proves it. */
export interface CheckResult {
  name: string;
  verdict: Verdict;
  durationMs: number;
  /** One line: what was observed (pass) or what went wrong (fail). */
  detail: string;
  /** Named error code when the check failed. */
  code?: string;
  hint?: string;
  evidence: Evidence;
  /** The node (or CI shard) the check belongs to: a run over several nodes (e2e --nodes), or a merged report (merge-reports, fleet). Reports group by it. */
  node?: string;
}

/** A process log attached to a report: where it is and how it ended. */
export interface LogRecord {
  name: string;
  path: string | undefined;
  tail: string[];
  /** When each tail line arrived (ms on the run timeline), where known: the HTML report shows the lines around a failure. */
  times?: number[];
  /** In a merged report: the node or shard whose process this was. */
  node?: string;
}
