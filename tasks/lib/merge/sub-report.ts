import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HarnessError } from '../errors/harness-error.ts';
import type { ReportJson } from '../report/run-report.ts';
import type { RunReport } from '../report/run-report.ts';
import { formatDuration } from '../time/format-duration.ts';

/** A run's `report.json` in `dir`, or undefined when there is none (or it is not JSON). */
export function readReportJson(dir: string): ReportJson | undefined {
  try {
    const data = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as ReportJson;
    return data && data.tool === 'hivecheck' && Array.isArray(data.checks) ? data : undefined;
  } catch {
    return undefined;
  }
}

export interface AdoptOptions {
  /** Prefix of every adopted check and log name: `<prefix> › <name>`. */
  prefix: string;
  /** Tag checks, logs and timeline events with this node (merged reports group by it). */
  node?: string;
  /** Where the sub-run's clock starts on this report's timeline (ms); with `node`, its events are adopted. */
  offsetMs?: number;
}

/** Copies a sub-run's checks and logs (and, for a node, its timeline) into `report`. */
export function adoptSubReport(report: RunReport, sub: ReportJson, options: AdoptOptions): void {
  const tag = options.node === undefined ? {} : { node: options.node };
  for (const check of sub.checks) report.checks.push({ ...check, name: `${options.prefix} › ${check.name}`, ...tag });
  for (const log of sub.logs) report.attachLog({ ...log, name: `${options.prefix} › ${log.name}`, ...tag });
  if (options.node !== undefined && sub.timeline) report.timeline.adopt(sub.timeline.events, options.node, options.offsetMs ?? 0, sub.timeline.dropped);
}

/**
 * The verdict line of one sub-run (a task of `all`, a node of a fleet, a shard): passes when it
 * exited 0; otherwise throws a HarnessError whose kind follows its exit code (3 environment, 2
 * usage, else a failed check), so the combined exit code says the worst that happened.
 */
export function subRunVerdict(what: string, sub: ReportJson | undefined, exitCode: number, reportPath: string, durationMs?: number): { detail: string; evidence: Record<string, unknown> } {
  const counts = sub ? `${sub.summary.passed} passed, ${sub.summary.failed} failed${sub.summary.skipped ? `, ${sub.summary.skipped} skipped` : ''}${sub.summary.interrupted ? `, ${sub.summary.interrupted} interrupted` : ''}` : 'no report';
  const took = durationMs ?? sub?.durationMs;
  const detail = `${what}${counts}${took === undefined ? '' : ` in ${formatDuration(took)}`} (exit ${exitCode}; report ${reportPath})`;
  const evidence = { exitCode, report: reportPath };
  if (exitCode === 0 && sub) return { detail, evidence };
  const kind = exitCode === 3 ? 'environment' : exitCode === 2 ? 'usage' : 'check';
  const code = sub?.error?.code ?? (sub ? 'TASK_FAILED' : 'REPORT_MISSING');
  throw new HarnessError(code, `${detail}${sub?.error ? `: ${sub.error.message}` : ''}`, { kind, evidence, hint: sub?.error?.hint ?? (sub ? undefined : `the run wrote no report.json; see its log`) });
}
