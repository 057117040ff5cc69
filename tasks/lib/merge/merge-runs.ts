import type { NodeOutcome, RunReport } from '../report/run-report.ts';
import { join } from 'node:path';
import type { RunPart } from './run-part.ts';
import { adoptSubReport, subRunVerdict } from './sub-report.ts';

/**
 * Merges the runs of several nodes (or shards) into `report`: each node's checks and logs named
 * `<node> › …` and tagged with the node (junit.xml gets a testsuite per node, report.html a group
 * of lanes per node), its timeline moved onto one clock whose zero is `originMs` (epoch ms), one
 * verdict check per node (failing when the node's run failed, or wrote no report), and the
 * `nodes` section of report.json. `exitCodes` holds what the launcher saw, for nodes whose
 * report is missing.
 */
export async function mergeRuns(report: RunReport, parts: readonly RunPart[], originMs: number, exitCodes: ReadonlyMap<string, number> = new Map()): Promise<NodeOutcome[]> {
  const nodes: NodeOutcome[] = [];
  for (const part of parts) {
    const sub = part.report;
    if (sub) adoptSubReport(report, sub, { prefix: part.node, node: part.node, offsetMs: Date.parse(sub.startedAt) - originMs });
    const exitCode = sub?.exitCode ?? exitCodes.get(part.node) ?? 1;
    nodes.push({
      node: part.node,
      source: part.dir,
      task: sub?.task ?? 'unknown',
      verdict: sub?.verdict ?? 'missing',
      exitCode,
      summary: sub?.summary ?? { passed: 0, failed: 0, skipped: 0, interrupted: 0 },
      ...(sub ? { startedAt: sub.startedAt, durationMs: sub.durationMs } : {}),
    });
    const reportPath = sub?.task === 'cucumber' ? part.dir : join(part.dir, 'report.json');
    await report.check(part.node, async () => subRunVerdict(`${sub?.task ?? 'run'} on ${part.node}: `, sub, exitCode, reportPath));
    const own = report.checks.at(-1);
    if (own && own.name === part.node) own.node = part.node;
  }
  report.sections.nodes = nodes;
  return nodes;
}
