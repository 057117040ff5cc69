import type { FlagSpec } from '../lib/cli/flag-spec.ts';

/** Where settings and state come from: every task, services included, understands these. */
export const SETUP_FLAGS: readonly FlagSpec[] = [
  { name: 'config', type: 'string', valueName: 'file', description: 'settings file (default: hivecheck.config.json, .mjs or .ts found from here upward); flags override it' },
  { name: 'state-dir', type: 'string', valueName: 'dir', description: 'where runs, models and the engine go (env HIVECHECK_HOME; default: .hivecheck where you run hivecheck)' },
];

/** Flags every check task understands (a service — mock-hive, cleanup — takes SETUP_FLAGS and --help only). */
export const COMMON_FLAGS: readonly FlagSpec[] = [
  { name: 'report', type: 'string', valueName: 'dir', description: 'write report.json, junit.xml and report.html into <dir> (process logs go to <dir>/logs); default <state dir>/runs/<time>-<task>/' },
  { name: 'json', type: 'boolean', description: 'print the JSON report on stdout (progress goes to stderr)' },
  { name: 'quiet', type: 'boolean', description: 'print only the final summary' },
  { name: 'log-lines', type: 'number', integer: true, min: 1, max: 10_000, default: 30, description: 'log lines shown per process when something fails' },
  ...SETUP_FLAGS,
  { name: 'help', type: 'boolean', description: 'show this help' },
];

/** The common flags of a task: all of them for a check task; a service prints no report. */
export function commonFlagsOf(task: { kind?: string }): readonly FlagSpec[] {
  return task.kind === 'service' || task.kind === 'command' ? COMMON_FLAGS.filter((flag) => flag.name === 'help' || SETUP_FLAGS.includes(flag)) : COMMON_FLAGS;
}

export const EXIT_CODE_HELP = 'Exit codes: 0 all checks passed, 1 a check failed, 2 usage/config error, 3 environment/preflight error, 4 canary:check hold, 130/143 interrupted.';
