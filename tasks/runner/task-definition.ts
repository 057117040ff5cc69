import type { FlagSpec, Flags } from '../lib/cli/flag-spec.ts';
import type { TaskContext } from './task-context.ts';

/**
 * A task of the runner. `check` tasks produce a report (checks, summary, exit code); `service`
 * tasks (the standalone mock hive) run until interrupted.
 */
export interface TaskDefinition {
  name: string;
  /** One line for `help`. */
  summary: string;
  /** A paragraph for `<task> --help`. */
  description: string;
  flags: readonly FlagSpec[];
  examples?: readonly string[];
  kind?: 'check' | 'service';
  run(context: TaskContext, flags: Flags): Promise<void>;
}
