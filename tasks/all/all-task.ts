import { join } from 'node:path';
import { inShard, parseShard } from '../lib/cli/shard.ts';
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
  flags: [
    { name: 'skip', type: 'list', valueName: 'task,…', choices: ALL_STEPS.map((step) => step.task), description: 'tasks to leave out of this run' },
    { name: 'shard', type: 'string', valueName: 'i/n', description: 'run shard i of n (a CI matrix): the gate (preflight) in every shard, the other tasks dealt round-robin; merge the shards with merge-reports' },
  ],
  examples: ['npm run task -- all', 'npm run task -- all --report out/release', 'npm run task -- all --skip status-protocol:test', 'npm run task -- all --shard 2/3 --report out/shard-2'],
  async run(context, flags) {
    const skipped = new Set(flags.list('skip'));
    const { report, out } = context;
    const shardFlag = flags.optionalString('shard');
    const shard = shardFlag === undefined ? undefined : parseShard(shardFlag);
    // Out of this shard: not run here and not reported (another shard reports it), so merged shards list each task once.
    const mine = new Set(shard ? [...ALL_STEPS.filter((step) => step.gate), ...inShard(ALL_STEPS.filter((step) => !step.gate), shard)] : ALL_STEPS);
    report.settings = { steps: ALL_STEPS.filter((step) => !skipped.has(step.task) && mine.has(step)).map((step) => [step.task, ...step.args].join(' ')), ...(shardFlag ? { shard: shardFlag } : {}), workerIds: [] };
    // task-table imports this task: load it when the run starts, not at module load.
    const { TASKS } = await import('../task-table.ts');
    const sink = { write: (text: string) => out.print(text.replace(/\n$/, '')), isTTY: false };
    let gateFailed: string | undefined;
    for (const step of ALL_STEPS) {
      const name = `${step.task}`;
      if (!mine.has(step)) continue;
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
