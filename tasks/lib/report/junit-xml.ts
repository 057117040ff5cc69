import type { CheckResult, LogRecord } from './check-result.ts';
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

function testCase(classname: string, check: CheckResult): string {
  const open = `    <testcase classname="${escapeXml(classname)}" name="${escapeXml(check.name)}" time="${seconds(check.durationMs)}"`;
  if (check.verdict === 'pass') return `${open}/>`;
  if (check.verdict === 'skip') return `${open}>\n      <skipped message="${escapeXml(check.detail)}"/>\n    </testcase>`;
  if (check.verdict === 'interrupted') return `${open}>\n      <skipped message="${escapeXml(`interrupted: ${check.detail}`)}"/>\n    </testcase>`;
  const body = [check.hint ? `fix: ${check.hint}` : '', JSON.stringify(check.evidence, null, 2)].filter(Boolean).join('\n');
  return `${open}>\n      <failure type="${escapeXml(check.code ?? 'CHECK_FAILED')}" message="${escapeXml(check.detail)}">${escapeXml(body)}</failure>\n    </testcase>`;
}

interface Suite {
  name: string;
  classname: string;
  checks: CheckResult[];
  logs: LogRecord[];
  error?: ReportJson['error'];
  timeMs: number;
  startedAt: string;
}

function testSuite(suite: Suite): string[] {
  const cases = suite.checks.map((check) => testCase(suite.classname, check));
  if (suite.error) {
    cases.push(
      `    <testcase classname="${escapeXml(suite.classname)}" name="run" time="0">\n      <error type="${escapeXml(suite.error.code)}" message="${escapeXml(suite.error.message)}">${escapeXml(JSON.stringify(suite.error.evidence, null, 2))}</error>\n    </testcase>`,
    );
  }
  const logs = suite.logs.map((log) => `=== ${log.name} (${log.path ?? 'no file'}) ===\n${log.tail.join('\n')}`).join('\n');
  const failures = suite.checks.filter((check) => check.verdict === 'fail').length;
  const skipped = suite.checks.filter((check) => check.verdict === 'skip' || check.verdict === 'interrupted').length;
  return [
    `  <testsuite name="${escapeXml(suite.name)}" tests="${cases.length}" failures="${failures}" errors="${suite.error ? 1 : 0}" skipped="${skipped}" time="${seconds(suite.timeMs)}" timestamp="${suite.startedAt}">`,
    ...cases,
    logs ? `    <system-out>${escapeXml(logs)}</system-out>` : '',
    '  </testsuite>',
  ];
}

/**
 * One `<testsuite>` per run, one `<testcase>` per check; failures carry evidence and log tails.
 * A merged report (merge-reports, fleet) gets a `<testsuite>` per node or shard, named after it.
 */
export function toJunitXml(report: ReportJson): string {
  const base = `hivecheck.${report.task}`;
  const suites: Suite[] = [];
  const byNode = new Map<string, Suite>();
  const nodes = new Map((report.nodes ?? []).map((node) => [node.node, node]));
  const own: Suite = { name: report.task, classname: base, checks: [], logs: [], error: report.error, timeMs: report.durationMs, startedAt: report.startedAt };
  const suiteOf = (node: string | undefined): Suite => {
    if (node === undefined) return own;
    let suite = byNode.get(node);
    if (!suite) {
      const outcome = nodes.get(node);
      suite = { name: node, classname: `${base}.${node}`, checks: [], logs: [], timeMs: outcome?.durationMs ?? 0, startedAt: outcome?.startedAt ?? report.startedAt };
      byNode.set(node, suite);
      suites.push(suite);
    }
    return suite;
  };
  for (const check of report.checks) suiteOf(check.node).checks.push(check);
  for (const log of report.logs) suiteOf(log.node).logs.push(log);
  if (byNode.size === 0 || own.checks.length > 0 || own.logs.length > 0 || own.error) suites.unshift(own);
  const all = suites.flatMap((suite) => suite.checks);
  const errors = suites.filter((suite) => suite.error).length;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="hivecheck" tests="${all.length + errors}" failures="${all.filter((check) => check.verdict === 'fail').length}" errors="${errors}" time="${seconds(report.durationMs)}">`,
    ...suites.flatMap(testSuite),
    '</testsuites>',
    '',
  ]
    .filter((line) => line !== '')
    .join('\n');
}
