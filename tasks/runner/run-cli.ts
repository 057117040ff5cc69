import { parseFlags, type Flags } from '../lib/cli/flag-spec.ts';
import { ExitCode, toHarnessError } from '../lib/errors/harness-error.ts';
import { COMMON_FLAGS } from './common-flags.ts';
import { renderTaskHelp, renderTaskList } from './help-text.ts';
import { loadTask, type TaskTableRow } from './task-definition.ts';

export interface CliIo {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/**
 * Where the user ran the command: `npm run` changes into the repository root and leaves the
 * user's directory in INIT_CWD, so user paths (--model ../models/x.gguf) resolve from there.
 */
export function userCwd(env: NodeJS.ProcessEnv = process.env): string {
  return env.INIT_CWD && env.INIT_CWD !== '' ? env.INIT_CWD : process.cwd();
}

const defaultIo = (): CliIo => ({ stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: userCwd() });

/**
 * The single entry: `help`, `<task> --help`, or a task run. Returns the exit code:
 * 0 passed, 1 a check failed, 2 usage/config error, 3 environment/preflight error.
 */
export async function runCli(argv: readonly string[], tasks: readonly TaskTableRow[], io: CliIo = defaultIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.stderr.write(`${renderTaskList(tasks)}\nerror: [NO_TASK] no task given\n`);
    return ExitCode.usage;
  }
  if (name === 'help' || name === '--help' || name === '-h') {
    const wanted = rest[0];
    if (wanted === undefined) {
      io.stdout.write(renderTaskList(tasks));
      return ExitCode.passed;
    }
    const row = tasks.find((candidate) => candidate.name === wanted);
    if (!row) {
      io.stderr.write(`${renderTaskList(tasks)}\nerror: [UNKNOWN_TASK] unknown task '${wanted}'\n`);
      return ExitCode.usage;
    }
    io.stdout.write(renderTaskHelp(await loadTask(row)));
    return ExitCode.passed;
  }
  const row = tasks.find((candidate) => candidate.name === name);
  if (!row) {
    io.stderr.write(`${renderTaskList(tasks)}\nerror: [UNKNOWN_TASK] unknown task '${name}'\n`);
    return ExitCode.usage;
  }
  const task = await loadTask(row);
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(renderTaskHelp(task));
    return ExitCode.passed;
  }
  let flags: Flags;
  try {
    flags = parseFlags(rest, [...task.flags, ...COMMON_FLAGS], task.positionals !== undefined);
  } catch (error) {
    io.stderr.write(`${renderTaskHelp(task)}\nerror: ${toHarnessError(error).describe()}\n`);
    return ExitCode.usage;
  }
  // Loaded only when a task runs: `help` and usage errors never load the report and process modules.
  const { runTask } = await import('./run-task.ts');
  return await runTask(task, flags, io);
}

