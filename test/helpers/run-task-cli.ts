import { spawn, type ChildProcess } from 'node:child_process';
import { $ } from 'zx';
import { repoPath } from './fixture-path.ts';

export interface CliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs the runner the way `npm run task --` does (bin/hivecheck.mjs: the precompiled build), as a separate process. */
export async function runTaskCli(args: readonly string[], env: Record<string, string> = {}): Promise<CliRun> {
  const result = await $({ cwd: repoPath(''), nothrow: true, quiet: true, env: { ...process.env, CI: 'true', ...env } })`${process.execPath} bin/hivecheck.mjs ${args}`;
  return { exitCode: result.exitCode ?? -1, stdout: result.stdout, stderr: result.stderr };
}

export interface TaskProcess {
  child: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** Everything printed so far, stdout and stderr interleaved as they came. */
  output(): string;
  /** Resolves when the output matches; rejects, with the output, if the process exits first. */
  waitFor(pattern: RegExp): Promise<RegExpMatchArray>;
}

/**
 * Starts the runner (bin/hivecheck.mjs <args>, or a TypeScript `entry` through tsx) as its own
 * process, for tests that signal a running harness. Output is collected as it arrives.
 */
export function startTaskProcess(args: readonly string[], options: { entry?: string; env?: Record<string, string> } = {}): TaskProcess {
  const child = spawn(process.execPath, [...(options.entry ? ['--import', 'tsx', options.entry] : ['bin/hivecheck.mjs']), ...args], {
    cwd: repoPath(''),
    env: { ...process.env, CI: 'true', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const waiters = new Set<() => void>();
  const onData = (chunk: Buffer): void => {
    output += chunk.toString();
    for (const check of waiters) check();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const waitFor = (pattern: RegExp): Promise<RegExpMatchArray> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const match = output.match(pattern);
        if (!match) return;
        waiters.delete(check);
        resolve(match);
      };
      waiters.add(check);
      check();
      void exited.then((code) => {
        if (!waiters.has(check)) return;
        waiters.delete(check);
        reject(new Error(`the harness exited (${code}) before its output matched ${pattern}:\n${output}`));
      });
    });
  return { child, exited, output: () => output, waitFor };
}
