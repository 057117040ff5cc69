import type { FlagSpec } from '../lib/cli/flag-spec.ts';

/** Flags every task understands. */
export const COMMON_FLAGS: readonly FlagSpec[] = [
  { name: 'report', type: 'string', valueName: 'dir', description: 'write report.json and junit.xml into <dir> (process logs go to <dir>/logs)' },
  { name: 'json', type: 'boolean', description: 'print the JSON report on stdout (progress goes to stderr)' },
  { name: 'quiet', type: 'boolean', description: 'print only the final summary' },
  { name: 'log-lines', type: 'number', integer: true, min: 1, max: 10_000, default: 30, description: 'log lines shown per process when something fails' },
  { name: 'help', type: 'boolean', description: 'show this help' },
];

export const EXIT_CODE_HELP = 'Exit codes: 0 all checks passed, 1 a check failed, 2 usage/config error, 3 environment/preflight error, 4 canary:check hold, 130/143 interrupted.';
