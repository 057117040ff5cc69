import type { FlagSpec, Flags } from '../lib/cli/flag-spec.ts';
import type { TaskContext } from './task-context.ts';

/**
 * A task of the runner. `check` tasks produce a report (checks, summary, exit code); `service`
 * tasks (the standalone mock hive) run until interrupted; `command` tasks do one thing (init).
 */
export interface TaskDefinition {
  name: string;
  /** One line for `help`. */
  summary: string;
  /** A paragraph for `<task> --help`. */
  description: string;
  flags: readonly FlagSpec[];
  /** A task that takes words besides flags (`merge-reports <dir>…`): how help names them. Others refuse stray words. */
  positionals?: { usage: string; description: string };
  examples?: readonly string[];
  /** Words after `--` go to another program unparsed (`features -- --shard 1/2`): what they are, for help. */
  passThrough?: string;
  /** `command`: does one thing and prints what it did (init, engine:install); no report. */
  kind?: 'check' | 'service' | 'command';
  run(context: TaskContext, flags: Flags): Promise<void>;
}

/**
 * A row of the task table: what `help` lists, and how to load the task. The task's module (and
 * everything it imports) is loaded only when that task runs or shows its `--help`.
 */
export interface LazyTask {
  name: string;
  /** One line for `help` (the same as the loaded task's `summary`; a test keeps them equal). */
  summary: string;
  load(): Promise<TaskDefinition>;
}

/** The table may also hold a task itself (loaded with the table). */
export type TaskTableRow = LazyTask | TaskDefinition;

export async function loadTask(row: TaskTableRow): Promise<TaskDefinition> {
  return 'run' in row ? row : await row.load();
}
