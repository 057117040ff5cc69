import { join } from 'node:path';
import { adoptSubReport, readReportJson, subRunVerdict } from '../lib/merge/sub-report.ts';
import { runCli } from '../runner/run-cli.ts';
import type { TaskDefinition } from '../runner/task-definition.ts';
import { ALL_STEPS } from './all-steps.ts';

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
      const sub = readReportJson(dir);
      if (sub) adoptSubReport(report, sub, { prefix: step.task });
      const ids = sub?.settings.workerIds;
      if (Array.isArray(ids)) report.settings.workerIds = [...((report.settings.workerIds as string[] | undefined) ?? []), ...ids];
      const took = performance.now() - started;
      await report.check(name, async () => subRunVerdict('', sub, code, join(dir, 'report.json'), took));
      if (code !== 0 && step.gate) gateFailed = step.task;
    }
  },
};
