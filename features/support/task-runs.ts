import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCommandTemplate } from '../../tasks/lib/cli/command-template.ts';
import type { ReportJson } from '../../tasks/lib/report/run-report.ts';
import { runCli } from '../../tasks/runner/run-cli.ts';
import { TASKS } from '../../tasks/task-table.ts';

export interface TaskRun {
  exitCode: number;
  output: string;
  report: ReportJson;
  reportDir: string;
}

/**
 * The config file the scenarios' task runs use: HIVECHECK_CONFIG (`npx hivecheck features --config
 * <file>` sets it), else the one found from the working directory upward, as on the command line.
 */
const configArgs = (): string[] => (process.env.HIVECHECK_CONFIG ? ['--config', process.env.HIVECHECK_CONFIG] : []);

/** Runs a task in-process exactly as `npm run task -- <line>` would, with a report directory. */
export async function runTaskLine(line: string): Promise<TaskRun> {
  const reportDir = mkdtempSync(join(tmpdir(), 'hivecheck-feature-'));
  let output = '';
  const sink = { write: (text: string) => (output += text), isTTY: false };
  const exitCode = await runCli([...parseCommandTemplate(line, 'step'), ...configArgs(), '--report', reportDir], TASKS, { stdout: sink, stderr: sink, env: { ...process.env, CI: 'true' }, cwd: process.cwd() });
  const report = JSON.parse(readFileSync(join(reportDir, 'report.json'), 'utf8')) as ReportJson;
  return { exitCode, output, report, reportDir };
}
