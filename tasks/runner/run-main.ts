import { releaseWatchdog } from '../lib/process/group-record.ts';
import { installSignalTeardown, startingRun } from '../lib/process/guard-registry.ts';
import type { TaskTableRow } from './task-definition.ts';
import { runCli, type CliIo } from './run-cli.ts';

/**
 * A harness process's whole life: Ctrl-C and SIGTERM are taken in before anything starts (a signal
 * in the moment between a first spawn and its guard's registration killed the harness with the
 * default action, leaving no report: seen beside two busy loops), then the run, then the
 * watchdog's exit (so nothing of the run outlives the harness), then ours. The explicit exit keeps
 * idle keep-alive sockets from holding the process open.
 */
export async function runAsMain(argv: readonly string[], tasks: readonly TaskTableRow[], io?: CliIo): Promise<never> {
  installSignalTeardown();
  const run = runCli(argv, tasks, io);
  startingRun(run);
  const code = await run;
  await releaseWatchdog();
  process.exit(code);
}
