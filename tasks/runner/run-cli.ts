import { resolve } from 'node:path';
import { didYouMean } from '../lib/cli/did-you-mean.ts';
import { parseFlags, type FlagSpec, type Flags } from '../lib/cli/flag-spec.ts';
import { cliCommand } from '../lib/cli/invocation.ts';
import { settingsFor, type LoadedConfig } from '../lib/config/hivecheck-config.ts';
import { ExitCode, toHarnessError, type HarnessError } from '../lib/errors/harness-error.ts';
import { STATE_DIR_ENV } from '../lib/state/state-dir.ts';
import { commonFlagsOf } from './common-flags.ts';
import { renderTaskHelp, renderTaskList } from './help-text.ts';
import { loadConfig } from './load-config.ts';
import { loadTask, type TaskDefinition, type TaskTableRow } from './task-definition.ts';

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

/** One line for a task name that is not in the table: a guess when it looks like a typo, and where the list is. */
function unknownTask(name: string, tasks: readonly TaskTableRow[]): string {
  const guess = didYouMean(name, tasks.map((task) => task.name));
  return `error: [UNKNOWN_TASK] unknown task '${name}'${guess ? ` (did you mean ${guess}?)` : ''}\n${cliCommand('help')} lists the tasks\n`;
}

/** A flag error in one line (with a guess for an unknown flag), and where the full list is. */
function flagError(error: HarnessError, task: TaskDefinition, specs: readonly FlagSpec[]): string {
  const unknown = error.code === 'UNKNOWN_FLAG' ? /'(--[^' ]+)'/.exec(error.message)?.[1] : undefined;
  const guess = unknown ? didYouMean(unknown.slice(2), specs.map((spec) => spec.name)) : undefined;
  const message = `${error.describe()}${unknown ? ` for ${task.name}` : ''}${guess ? ` (did you mean --${guess}?)` : ''}`;
  return `error: ${message}\n${cliCommand(`${task.name} --help`)} lists its flags\n`;
}

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
      io.stderr.write(unknownTask(wanted, tasks));
      return ExitCode.usage;
    }
    io.stdout.write(renderTaskHelp(await loadTask(row)));
    return ExitCode.passed;
  }
  const row = tasks.find((candidate) => candidate.name === name);
  if (!row) {
    io.stderr.write(unknownTask(name, tasks));
    return ExitCode.usage;
  }
  const task = await loadTask(row);
  // A task that passes words on (`features -- --shard 1/2`) parses only what comes before `--`.
  const split = task.passThrough ? rest.indexOf('--') : -1;
  const own = split >= 0 ? rest.slice(0, split) : rest;
  const passed = split >= 0 ? rest.slice(split + 1) : [];
  if (own.includes('--help') || own.includes('-h')) {
    io.stdout.write(renderTaskHelp(task));
    return ExitCode.passed;
  }
  const specs = [...task.flags, ...commonFlagsOf(task)];
  let flags: Flags;
  try {
    flags = parseFlags(own, specs, { rest: passed, env: io.env, cwd: io.cwd, allowPositionals: task.positionals !== undefined });
  } catch (error) {
    io.stderr.write(flagError(toHarnessError(error), task, specs));
    return ExitCode.usage;
  }
  let config: LoadedConfig | undefined;
  try {
    // Settings from the config file are the base; flags given on the command line override them.
    config = await loadConfig(own, io.cwd, tasks);
    if (config) flags = parseFlags(own, specs, { base: settingsFor(config, task.name, specs), rest: passed, env: io.env, cwd: io.cwd, allowPositionals: task.positionals !== undefined });
  } catch (error) {
    io.stderr.write(`error: ${toHarnessError(error).describe()}\n`);
    return ExitCode.usage;
  }
  const chosenStateDir = flags.optionalString('state-dir');
  if (chosenStateDir !== undefined) {
    // Every process of the run (the worker looks for its engine there) and every default computed from it see the same folder.
    io.env[STATE_DIR_ENV] = resolve(io.cwd, chosenStateDir);
    if (io.env !== process.env) process.env[STATE_DIR_ENV] = io.env[STATE_DIR_ENV];
    flags = parseFlags(own, specs, { base: settingsFor(config, task.name, specs), rest: passed, env: io.env, cwd: io.cwd, allowPositionals: task.positionals !== undefined });
  }
  // Loaded only when a task runs: `help` and usage errors never load the report and process modules.
  const { runTask } = await import('./run-task.ts');
  return await runTask(task, flags, io);
}
