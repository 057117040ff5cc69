import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { isPidAlive } from '../../tasks/lib/process/process-groups.ts';
import type { ReportJson } from '../../tasks/lib/report/run-report.ts';
import { REPO_ROOT } from '../../tasks/lib/status-protocol/policy-server-launcher.ts';
import { runCli } from '../../tasks/runner/run-cli.ts';
import { statusProtocolTask } from '../../tasks/status-protocol-test/status-protocol-task.ts';

export interface StatusTaskRun {
  exitCode: number;
  output: string;
  report: ReportJson;
  reportDir: string;
  /** Every server pid the run printed (`(pid N)`). */
  pids: number[];
}

/** Runs `status-protocol:test <args> --report <tmp>` in-process, through the real runner. */
export async function runStatusTask(args: readonly string[]): Promise<StatusTaskRun> {
  const reportDir = mkdtempSync(join(tmpdir(), 'hivecheck-status-'));
  let output = '';
  const sink = { write: (text: string) => (output += text), isTTY: false };
  const exitCode = await runCli(['status-protocol:test', ...args, '--report', reportDir], [statusProtocolTask], { stdout: sink, stderr: sink, env: { ...process.env, CI: 'true' }, cwd: REPO_ROOT });
  const report = JSON.parse(readFileSync(join(reportDir, 'report.json'), 'utf8')) as ReportJson;
  const pids = [...output.matchAll(/\(pid (\d+)\)/g)].map((match) => Number(match[1]));
  return { exitCode, output, report, reportDir, pids };
}

export function verdicts(report: ReportJson): Record<string, string> {
  return Object.fromEntries(report.checks.map((check) => [check.name, check.verdict]));
}

export function check(report: ReportJson, name: string): ReportJson['checks'][number] {
  const found = report.checks.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no check "${name}" in ${report.checks.map((c) => c.name).join(', ')}`);
  return found;
}

/** Nothing the run started is still alive. */
export function expectNothingRunning(run: StatusTaskRun): void {
  expect(run.pids.length).toBeGreaterThan(0);
  for (const pid of run.pids) expect(isPidAlive(pid), `pid ${pid} still alive`).toBe(false);
}

export const ALL_PASS = {
  'model listing': 'pass',
  'cold start': 'pass',
  'inference after ready': 'pass',
  'warm connection': 'pass',
  'two clients inferring at once': 'pass',
  'unknown model': 'pass',
  'inference error keeps the session open': 'pass',
  'another model while one is in use': 'pass',
  'crash during loading': 'pass',
};

/** The checks that need a ready cold-start session, skipped when it failed. */
export const NEEDS_READY = ['inference after ready', 'warm connection', 'two clients inferring at once', 'inference error keeps the session open', 'another model while one is in use'];
