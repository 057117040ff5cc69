import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReportJson } from '../../tasks/lib/report/run-report.ts';
import { runCli } from '../../tasks/runner/run-cli.ts';
import { TASKS } from '../../tasks/task-table.ts';
import { repoPath } from './fixture-path.ts';

export interface InProcessRun {
  exitCode: number;
  output: string;
  report: ReportJson;
  reportDir: string;
}

/** Runs a real task through the runner (same code path as `npm run task`), capturing its output and report. */
export async function runTask(args: readonly string[], options: { cwd?: string } = {}): Promise<InProcessRun> {
  const reportDir = mkdtempSync(join(tmpdir(), 'hivecheck-test-'));
  let output = '';
  const sink = { write: (text: string) => (output += text), isTTY: false };
  const exitCode = await runCli([...args, '--report', reportDir], TASKS, { stdout: sink, stderr: sink, env: { ...process.env, CI: 'true' }, cwd: options.cwd ?? repoPath('') });
  const report = JSON.parse(readFileSync(join(reportDir, 'report.json'), 'utf8')) as ReportJson;
  return { exitCode, output, report, reportDir };
}

export function checkNamed(report: ReportJson, name: string): ReportJson['checks'][number] {
  const found = report.checks.find((check) => check.name === name);
  if (!found) throw new Error(`no check "${name}"; checks: ${report.checks.map((check) => `${check.name}=${check.verdict}`).join(', ')}`);
  return found;
}

export function verdicts(report: ReportJson): Record<string, string> {
  return Object.fromEntries(report.checks.map((check) => [check.name, check.verdict]));
}
