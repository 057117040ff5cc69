import { formatDuration } from '../time/format-duration.ts';
import type { ReportJson } from './run-report.ts';

const MARK = { pass: '✅', fail: '❌', skip: '⏭️ ', interrupted: '⛔' } as const;

function indent(lines: string[], prefix = '     '): string[] {
  return lines.map((line) => `${prefix}${line}`);
}

/**
 * The human summary that ends every run: one ✅/❌ line per check, failure evidence, and on
 * failure the log tails of every process the run started (plus the hive's heartbeat log).
 */
export function renderSummary(report: ReportJson, files?: { json: string; junit: string; html?: string }): string {
  const out: string[] = [''];
  const { passed, failed, skipped, interrupted } = report.summary;
  const error = report.error;
  // A run that failed before its first check has no tally to give: "0 passed, 0 failed" would read as an empty success.
  const tally = report.checks.length === 0 && error ? `no check ran (${error.kind === 'usage' ? 'usage error' : error.kind === 'environment' ? 'environment error' : 'set-up failed'})` : `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}${interrupted ? `, ${interrupted} interrupted` : ''}`;
  out.push(`📊 ${report.task}: ${tally} in ${formatDuration(report.durationMs)}`);
  for (const check of report.checks) {
    out.push(`  ${MARK[check.verdict]} ${check.name}: ${check.verdict === 'fail' && check.code ? `[${check.code}] ` : ''}${check.detail}`);
    if (check.verdict === 'fail') {
      if (check.hint) out.push(`     fix: ${check.hint}`);
      if (typeof check.evidence.lastObserved === 'string' && !check.detail.includes(check.evidence.lastObserved)) out.push(`     last observed: ${check.evidence.lastObserved}`);
    }
  }
  const alreadyShown = error !== undefined && report.checks.some((check) => check.code === error.code && check.detail === error.message);
  if (error && !alreadyShown) {
    out.push(`  ❌ ${error.kind === 'usage' ? 'usage' : error.kind === 'environment' ? 'environment' : 'run'}: [${error.code}] ${error.message}`);
    if (error.hint) out.push(`     fix: ${error.hint}`);
  }
  if (report.exitCode !== 0) {
    // A merged report: only the failing nodes' logs (report.html keeps them all).
    const passedNodes = new Set((report.nodes ?? []).filter((node) => node.exitCode === 0).map((node) => node.node));
    for (const log of report.logs) {
      if (log.node !== undefined && passedNodes.has(log.node)) continue;
      if (log.tail.length === 0) {
        out.push('', `  📋 ${log.name}: (empty${log.path ? `, ${log.path}` : ''})`);
        continue;
      }
      out.push('', `  📋 ${log.name} (last ${log.tail.length} lines${log.path ? `, full log: ${log.path}` : ''}):`);
      out.push(...indent(log.tail));
    }
  }
  out.push('');
  if (report.decision && !report.interrupted && !error) out.push(`${report.exitCode === 0 ? '✅' : '❌'} ${report.task}: ${report.decision.verdict.toUpperCase()}${report.decision.reason ? `: ${report.decision.reason}` : ''} (exit ${report.exitCode})`);
  else if (report.exitCode === 0) out.push(`✅ ${report.task} passed`);
  else if (report.interrupted) out.push(`⛔ ${report.task} interrupted (exit ${report.exitCode})`);
  else out.push(`❌ ${report.task} failed (exit ${report.exitCode})`);
  if (files) out.push(`   report: ${files.json}`, `   junit:  ${files.junit}`);
  if (files?.html) out.push(`   html:   ${files.html}`);
  return `${out.join('\n')}\n`;
}
