import type { GroupOutcome, SweepResult } from '../lib/process/group-sweep.mjs';
import { stateDir, sweepStaleRecords } from '../lib/process/group-sweep.mjs';
import type { TaskDefinition } from '../runner/task-definition.ts';

function describeOutcome(outcome: GroupOutcome): string {
  const what = `${outcome.group.name} (pgid ${outcome.group.pgid}, run ${outcome.group.runId}, started ${outcome.group.at}): ${outcome.group.command}`;
  if (outcome.action === 'gone') return `  already gone  ${what}`;
  if (outcome.action === 'recycled') return `  left alone    ${what} — ${outcome.reason}`;
  const survivors = outcome.survivors?.length ? `; STILL RUNNING: ${outcome.survivors.join(', ')}` : '';
  return `  killed (${outcome.signal})  ${what}${survivors}`;
}

/** Lines for `cleanup`'s output, one per record and group. */
export function describeSweep(results: readonly SweepResult[], dir: string): string[] {
  if (results.length === 0) return [`🧹 nothing to clean up: no record of a dead harness in ${dir}`];
  const lines: string[] = [];
  for (const result of results) {
    lines.push(`🧹 run record of harness pid ${result.owner?.pid ?? '?'} (${result.owner?.argv.join(' ') ?? 'unknown command'}), no longer running:`);
    for (const outcome of result.outcomes) lines.push(describeOutcome(outcome));
  }
  return lines;
}

/** Sweeps the process groups of harness runs that died without tearing down (e.g. `kill -9`). */
export const cleanupTask: TaskDefinition = {
  name: 'cleanup',
  kind: 'service',
  summary: 'kill processes left by a harness run that died without teardown (kill -9, OOM), from its run record',
  description: [
    'Every run records each process group it starts (pid, start time, command digest, run id) in',
    '$HIVECHECK_STATE_DIR (default <tmp>/hivecheck-<uid>/groups). A watchdog kills the groups of a',
    'harness that died; this task sweeps what is left when the watchdog died too. Only a process',
    'whose pid, start time and command line all match the record is signalled (SIGTERM, 1 s, SIGKILL):',
    'a recycled pid is left alone. Records of harnesses still running are not touched.',
  ].join('\n'),
  flags: [{ name: 'grace', type: 'number', min: 0, max: 60, default: 1, valueName: 's', description: 'time between SIGTERM and SIGKILL' }],
  examples: ['npm run task -- cleanup'],
  async run(context, flags) {
    const dir = stateDir();
    const results = await sweepStaleRecords(dir, { graceMs: flags.number('grace') * 1000 });
    for (const line of describeSweep(results, dir)) context.out.print(line);
  },
};
