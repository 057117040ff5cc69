import type { ReportJson } from './run-report.ts';

function escapeXml(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

const seconds = (ms: number): string => (ms / 1000).toFixed(3);

/** One `<testsuite>` per run, one `<testcase>` per check; failures carry evidence and log tails. */
export function toJunitXml(report: ReportJson): string {
  const cases = report.checks.map((check) => {
    // A check of one node (e2e --nodes) is classed under it, so CI views group the rows per node.
    const open = `    <testcase classname="hivecheck.${escapeXml(report.task)}${check.node ? `.${escapeXml(check.node)}` : ''}" name="${escapeXml(check.name)}" time="${seconds(check.durationMs)}"`;
    if (check.verdict === 'pass') return `${open}/>`;
    if (check.verdict === 'skip') return `${open}>\n      <skipped message="${escapeXml(check.detail)}"/>\n    </testcase>`;
    if (check.verdict === 'interrupted') return `${open}>\n      <skipped message="${escapeXml(`interrupted: ${check.detail}`)}"/>\n    </testcase>`;
    const body = [check.hint ? `fix: ${check.hint}` : '', JSON.stringify(check.evidence, null, 2)].filter(Boolean).join('\n');
    return `${open}>\n      <failure type="${escapeXml(check.code ?? 'CHECK_FAILED')}" message="${escapeXml(check.detail)}">${escapeXml(body)}</failure>\n    </testcase>`;
  });
  if (report.error) {
    cases.push(
      `    <testcase classname="hivecheck.${escapeXml(report.task)}" name="run" time="0">\n      <error type="${escapeXml(report.error.code)}" message="${escapeXml(report.error.message)}">${escapeXml(JSON.stringify(report.error.evidence, null, 2))}</error>\n    </testcase>`,
    );
  }
  const logs = report.logs.map((log) => `=== ${log.name} (${log.path ?? 'no file'}) ===\n${log.tail.join('\n')}`).join('\n');
  const failures = report.checks.filter((check) => check.verdict === 'fail').length;
  const skipped = report.checks.filter((check) => check.verdict === 'skip' || check.verdict === 'interrupted').length;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="hivecheck" tests="${cases.length}" failures="${failures}" errors="${report.error ? 1 : 0}" time="${seconds(report.durationMs)}">`,
    `  <testsuite name="${escapeXml(report.task)}" tests="${cases.length}" failures="${failures}" errors="${report.error ? 1 : 0}" skipped="${skipped}" time="${seconds(report.durationMs)}" timestamp="${report.startedAt}">`,
    ...cases,
    logs ? `    <system-out>${escapeXml(logs)}</system-out>` : '',
    '  </testsuite>',
    '</testsuites>',
    '',
  ]
    .filter((line) => line !== '')
    .join('\n');
}
