import { accessSync, constants, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Flags } from '../lib/cli/flag-spec.ts';
import { ExitCode, HarnessError, isHarnessError, toHarnessError } from '../lib/errors/harness-error.ts';
import { Reporter } from '../lib/output/reporter.ts';
import { secretsInFlagValues } from '../lib/process/argv-secrets.ts';
import { Redactor } from '../lib/process/redact.ts';
import { onShutdown, shutdownSignal } from '../lib/process/guard-registry.ts';
import { lockReportDir, type ReportDirLock } from '../lib/report/report-dir-lock.ts';
import { writeReportFiles, type ReportFiles } from '../lib/report/report-files.ts';
import { RunReport } from '../lib/report/run-report.ts';
import { renderSummary } from '../lib/report/summary.ts';
import { withTimeline } from '../lib/report/timeline.ts';
import { stateDir } from '../lib/state/state-dir.ts';
import type { CliIo } from './run-cli.ts';
import { TaskContext } from './task-context.ts';
import type { TaskDefinition } from './task-definition.ts';

/**
 * Runs one task whose flags are parsed: a check task (report, summary, report files, exit code
 * from the verdicts) or a service (runs until Ctrl-C). run-cli loads this module only when a task
 * runs, so `help` starts without the report and process modules.
 */
export async function runTask(task: TaskDefinition, flags: Flags, io: CliIo): Promise<number> {
  return task.kind === 'service' || task.kind === 'command' ? await runService(task, flags, io) : await runCheckTask(task, flags, io);
}

/** `<state dir>/runs/<time>-<task>`: where a run without --report keeps its logs and reports. */
function runDirOf(task: TaskDefinition, io: CliIo): string {
  return join(stateDir(io.env, io.cwd), 'runs', `${runStamp()}-${task.name.replace(/[^a-z0-9-]/gi, '-')}`);
}

function runStamp(): string {
  return new Date().toISOString().replace(/[:.]/g, '-').replace('T', '_').slice(0, 23);
}

/**
 * The run's redactor: the values the harness knows (secret flags, from the command line, a file or
 * the environment; secret-named environment variables) and credential shapes.
 */
function runRedactor(flags: Flags, io: CliIo): Redactor {
  return Redactor.fromEnv(io.env, [...flags.secrets, ...secretsInFlagValues(Object.values(flags.values))]);
}

/** A secret given on the command line shows in npm's echo of the command and in `ps`: say so, with the way around it. */
function warnSecretsOnCommandLine(task: TaskDefinition, flags: Flags, out: Reporter): void {
  for (const [name, source] of Object.entries(flags.secretSources)) {
    const secret = task.flags.find((spec) => spec.name === name)?.secret;
    if (source === 'flag' && secret) out.warn(`--${name} on the command line shows in npm's echo of the command and in ps; export ${secret.env} or pass --${secret.file} instead`);
  }
}

async function runService(task: TaskDefinition, flags: Flags, io: CliIo): Promise<number> {
  const out = new Reporter({ mode: Reporter.detectMode(io.stdout, io.env), quiet: false, write: (text) => io.stdout.write(text), redactor: runRedactor(flags, io) });
  warnSecretsOnCommandLine(task, flags, out);
  const context = new TaskContext(new RunReport(task.name), out, runDirOf(task, io), flags, 30, io.cwd);
  try {
    await task.run(context, flags);
    return ExitCode.passed;
  } catch (error) {
    const failure = toHarnessError(error);
    io.stderr.write(`error: ${failure.describe()}\n`);
    return failure.exitCode;
  } finally {
    await context.stopAll();
  }
}

/** The run's log directory, made before anything starts: a bad one is named, and costs no process. */
function prepareRunDir(runDir: string): void {
  try {
    mkdirSync(runDir, { recursive: true });
    accessSync(runDir, constants.W_OK);
  } catch (error) {
    throw new HarnessError('LOG_DIR_NOT_WRITABLE', `cannot write logs into ${runDir} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, {
      kind: 'environment',
      cause: error,
      hint: 'pass --report <dir> with a writable directory (logs go to <dir>/logs)',
    });
  }
}

async function runCheckTask(task: TaskDefinition, flags: Flags, io: CliIo): Promise<number> {
  const json = flags.boolean('json');
  const progress = json ? io.stderr : io.stdout;
  const redactor = runRedactor(flags, io);
  const out = new Reporter({ mode: Reporter.detectMode(progress, io.env), quiet: flags.boolean('quiet'), write: (text) => progress.write(text), redactor });
  warnSecretsOnCommandLine(task, flags, out);
  const reportDir = flags.optionalString('report');
  // A folder another live run is writing is refused before anything is written into it.
  let lock: ReportDirLock | undefined;
  if (reportDir) {
    try {
      lock = lockReportDir(resolve(io.cwd, reportDir), task.name);
    } catch (error) {
      const failure = toHarnessError(error);
      io.stderr.write(`error: ${failure.describe()}\n`);
      return failure.exitCode;
    }
  }
  try {
    return await runCheckTaskIn(task, flags, io, out, redactor, reportDir);
  } finally {
    lock?.release();
  }
}

async function runCheckTaskIn(task: TaskDefinition, flags: Flags, io: CliIo, out: Reporter, redactor: Redactor, reportDir: string | undefined): Promise<number> {
  const json = flags.boolean('json');
  const runDir = reportDir ? join(resolve(io.cwd, reportDir), 'logs') : runDirOf(task, io);
  const report = new RunReport(task.name);
  report.onCheck((event) => {
    if (event.phase === 'end') out.check(event.result);
  });
  const context = new TaskContext(report, out, runDir, flags, flags.number('log-lines'), io.cwd);
  out.info(`logs: ${runDir}`);

  let reportError: HarnessError | undefined;
  let finishing: Promise<void> | undefined;
  const finish = (): Promise<void> => (finishing ??= writeResults());
  const writeResults = async (): Promise<void> => {
    report.interruptedBy = shutdownSignal();
    if (report.interruptedBy) {
      report.interruptRunning(report.interruptedBy);
      report.interruptKilledBy(report.interruptedBy);
      report.recordNotRun(report.interruptedBy);
      await context.recordInterruptedTeardowns();
    }
    context.collectLogs();
    // Check details may quote what a subject sent back (an error body echoing the key): mask what the harness knows.
    const data = redactor.redactKnownDeep(report.toJSON());
    let files: ReportFiles | undefined;
    // With --report <dir> the reports go there (logs in <dir>/logs); otherwise beside the logs in the run directory.
    const target = reportDir ? resolve(io.cwd, reportDir) : runDir;
    try {
      files = await writeReportFiles(target, data);
    } catch (error) {
      // A lost report is an environment failure (exit 3), said by name; the summary still prints.
      reportError = new HarnessError('REPORT_WRITE_FAILED', `could not write the report into ${reportDir ?? target}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {
        kind: 'environment',
        cause: error,
        hint: 'pass --report a writable directory on a disk with free space',
      });
      io.stderr.write(`error: ${reportError.describe()}\n`);
    }
    out.print(renderSummary(data, files));
    if (json) io.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
  };
  // Ctrl-C: the guards are stopped by the registry, then this writes what we have. A signal can
  // also come while the report is being written: a scheduler's SIGTERM reaches the subject first
  // (Slurm signals the deepest processes of a job first), whose death ends the task, and the
  // harness a moment later. The hook stays until the report is on disk (else the registry would
  // exit in the middle of the write, leaving no report), and such a late signal waits for that
  // write, then has the report written again as interrupted, so that file and exit code
  // (128 + signal) agree. The hook and the end of the run below may both get there: once.
  let rewriting: Promise<void> | undefined;
  const writeOnSignal = (signal: NodeJS.Signals): Promise<void> =>
    (rewriting ??= (async () => {
      if (finishing && !report.interruptedBy) {
        await finishing;
        out.warn(`received ${signal} while the report was being written: written again as interrupted`);
        finishing = writeResults();
      }
      await finish();
    })());
  const removeHook = onShutdown(writeOnSignal);
  try {
    prepareRunDir(runDir);
    await withTimeline(report.timeline, () => task.run(context, flags));
  } catch (error) {
    report.fail(error);
    if (!isHarnessError(error)) out.warn(`unexpected error: ${(error as Error).stack ?? String(error)}`);
  } finally {
    await context.stopAll();
  }
  try {
    await finish();
    // From here to the caller's exit no signal can be taken in (no turn of the event loop), so
    // one seen now is the last chance to write what the exit code will say.
    const signal = shutdownSignal();
    if (signal) await writeOnSignal(signal);
  } finally {
    removeHook();
  }
  return reportError && !report.interrupted ? reportError.exitCode : report.exitCode;
}
