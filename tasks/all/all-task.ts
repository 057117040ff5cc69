import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HarnessError } from '../lib/errors/harness-error.ts';
import type { ReportJson } from '../lib/report/run-report.ts';
import { formatDuration } from '../lib/time/format-duration.ts';
import { runCli } from '../runner/run-cli.ts';
import type { TaskDefinition } from '../runner/task-definition.ts';
import { ALL_STEPS } from './all-steps.ts';

const readReport = (dir: string): ReportJson | undefined => {
  try {
    return JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as ReportJson;
  } catch {
    return undefined;
  }
};

export const allTask: TaskDefinition = {
  name: 'all',
  summary: `run ${ALL_STEPS.map((step) => step.task).join(', ')} against the built-in fixtures; one summary and report`,
  description: [
    'The release run: each task in turn (tasks/all/all-steps.ts), in this process, with its own',
    'report in <run dir>/<task>/; then one combined summary and report whose checks are every',
    "task's checks, named '<task> › <check>', plus one line per task. If preflight fails, nothing",
    'else starts. Exit code: 3 (or 2) when a task hit an environment (usage) error, else 1 when a check failed.',
  ].join('\n'),
  flags: [{ name: 'skip', type: 'list', valueName: 'task,…', choices: ALL_STEPS.map((step) => step.task), description: 'tasks to leave out of this run' }],
  examples: ['npm run task -- all', 'npm run task -- all --report out/release', 'npm run task -- all --skip status-protocol:test'],
  async run(context, flags) {
    const skipped = new Set(flags.list('skip'));
    const { report, out } = context;
    report.settings = { steps: ALL_STEPS.filter((step) => !skipped.has(step.task)).map((step) => [step.task, ...step.args].join(' ')), workerIds: [] };
    // task-table imports this task: load it when the run starts, not at module load.
    const { TASKS } = await import('../task-table.ts');
    const sink = { write: (text: string) => out.print(text.replace(/\n$/, '')), isTTY: false };
    let gateFailed: string | undefined;
    for (const step of ALL_STEPS) {
      const name = `${step.task}`;
      if (skipped.has(step.task)) {
        report.skip(name, 'left out with --skip');
        continue;
      }
      if (gateFailed) {
        report.skip(name, `not started: ${gateFailed} failed`);
        continue;
      }
      out.step(`${step.task} ${step.args.join(' ')}`.trim());
      const dir = join(context.runDir, step.task.replace(/[^a-z0-9-]/gi, '-'));
      const started = performance.now();
      const code = await runCli([step.task, ...step.args, '--quiet', '--report', dir, '--log-lines', String(context.tailLines)], TASKS, { stdout: sink, stderr: sink, env: process.env, cwd: process.cwd() });
      const sub = readReport(dir);
      for (const check of sub?.checks ?? []) report.checks.push({ ...check, name: `${step.task} › ${check.name}` });
      for (const log of sub?.logs ?? []) report.attachLog({ ...log, name: `${step.task} › ${log.name}` });
      const ids = sub?.settings.workerIds;
      if (Array.isArray(ids)) report.settings.workerIds = [...((report.settings.workerIds as string[] | undefined) ?? []), ...ids];
      await report.check(name, async () => {
        const counts = sub ? `${sub.summary.passed} passed, ${sub.summary.failed} failed${sub.summary.skipped ? `, ${sub.summary.skipped} skipped` : ''}` : 'no report';
        const detail = `${counts} in ${formatDuration(performance.now() - started)} (exit ${code}; report ${dir}/report.json)`;
        if (code === 0) return { detail, evidence: { exitCode: code, report: join(dir, 'report.json') } };
        const kind = code === 3 ? 'environment' : code === 2 ? 'usage' : 'check';
        throw new HarnessError(sub?.error?.code ?? 'TASK_FAILED', `${detail}${sub?.error ? `: ${sub.error.message}` : ''}`, { kind, evidence: { exitCode: code, report: join(dir, 'report.json') }, hint: sub?.error?.hint });
      });
      if (code !== 0 && step.gate) gateFailed = step.task;
    }
  },
};
