import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReportJson } from '../report/run-report.ts';

export interface TaskResult {
  /** 0 passed, 1 a check failed, 2 usage/config, 3 environment, 4 canary hold. */
  exitCode: number;
  /** report.json: every check with its verdict and evidence. */
  report: ReportJson;
  /** Where report.json, junit.xml and report.html were written. */
  reportDir: string;
  /** What the task printed (progress and summary). */
  output: string;
}

/**
 * Runs a task as `npx hivecheck <task> <args>` would, in this process, and returns its report:
 * `await runTask('status-protocol:test', ['--url', server.url])`. The config file found from `cwd`
 * applies as on the command line; `--report` defaults to a fresh temp folder.
 */
export async function runTask(task: string, args: readonly string[] = [], options: { cwd?: string } = {}): Promise<TaskResult> {
  const [{ runCli }, { TASKS }] = await Promise.all([import('../../runner/run-cli.ts'), import('../../task-table.ts')]);
  const given = args.indexOf('--report');
  const reportDir = given >= 0 && args[given + 1] ? join(options.cwd ?? process.cwd(), args[given + 1] as string) : mkdtempSync(join(tmpdir(), 'hivecheck-run-'));
  let output = '';
  const sink = { write: (text: string) => (output += text), isTTY: false };
  const exitCode = await runCli([task, ...args, ...(given >= 0 ? [] : ['--report', reportDir])], TASKS, { stdout: sink, stderr: sink, env: { ...process.env, CI: 'true' }, cwd: options.cwd ?? process.cwd() });
  let report: ReportJson;
  try {
    report = JSON.parse(readFileSync(join(reportDir, 'report.json'), 'utf8')) as ReportJson;
  } catch {
    throw new Error(`${task} wrote no report (exit ${exitCode}): ${output.trim().split('\n').slice(-3).join(' | ')}`);
  }
  return { exitCode, report, reportDir, output };
}
