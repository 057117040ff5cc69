import { renderFlagHelp } from '../lib/cli/flag-spec.ts';
import { cliCommand, forUser } from '../lib/cli/invocation.ts';
import { commonFlagsOf, EXIT_CODE_HELP } from './common-flags.ts';
import type { TaskDefinition, TaskTableRow } from './task-definition.ts';

export function renderTaskList(tasks: readonly TaskTableRow[]): string {
  const width = Math.max(...tasks.map((task) => task.name.length), 4) + 2;
  return [
    'hivecheck: a test harness for ML inference infrastructure',
    '',
    `Usage: ${cliCommand('<task> [flags]')}      (${cliCommand('<task> --help')} for its flags)`,
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
  const lines = [`Usage: ${cliCommand(`${task.name} [flags]${task.passThrough ? ` [-- ${task.passThrough}]` : ''}${task.positionals ? ` ${task.positionals.usage}` : ''}`)}`, '', task.description, ''];
  if (task.positionals) lines.push(`  ${task.positionals.usage}: ${task.positionals.description}`, '');
  if (task.flags.length) lines.push('Flags:', ...renderFlagHelp(task.flags), '');
  const common = commonFlagsOf(task);
  lines.push('Common flags:', ...renderFlagHelp(common), '');
  if (task.examples?.length) lines.push('Examples:', ...task.examples.map((example) => `  ${forUser(example)}`), '');
  if (task.kind !== 'service' && task.kind !== 'command') lines.push(EXIT_CODE_HELP, '');
  return lines.join('\n');
}
