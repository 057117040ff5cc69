import { renderFlagHelp } from '../lib/cli/flag-spec.ts';
import { COMMON_FLAGS, EXIT_CODE_HELP } from './common-flags.ts';
import type { TaskDefinition, TaskTableRow } from './task-definition.ts';

export function renderTaskList(tasks: readonly TaskTableRow[]): string {
  const width = Math.max(...tasks.map((task) => task.name.length), 4) + 2;
  return [
    'hivecheck: a test harness for ML inference infrastructure',
    '',
    'Usage: npm run task -- <task> [flags]      (npm run task -- <task> --help for its flags)',
    '',
    'Tasks:',
    `  ${'help'.padEnd(width)}list the tasks (this text)`,
    ...tasks.map((task) => `  ${task.name.padEnd(width)}${task.summary}`),
    '',
    EXIT_CODE_HELP,
    '',
  ].join('\n');
}

export function renderTaskHelp(task: TaskDefinition): string {
  const lines = [`Usage: npm run task -- ${task.name} [flags]${task.positionals ? ` ${task.positionals.usage}` : ''}`, '', task.description, ''];
  if (task.positionals) lines.push(`  ${task.positionals.usage}: ${task.positionals.description}`, '');
  if (task.flags.length) lines.push('Flags:', ...renderFlagHelp(task.flags), '');
  const common = task.kind === 'service' ? COMMON_FLAGS.filter((flag) => flag.name === 'help') : COMMON_FLAGS;
  lines.push('Common flags:', ...renderFlagHelp(common), '');
  if (task.examples?.length) lines.push('Examples:', ...task.examples.map((example) => `  ${example}`), '');
  if (task.kind !== 'service') lines.push(EXIT_CODE_HELP, '');
  return lines.join('\n');
}
