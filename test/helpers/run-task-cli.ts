import { $ } from 'zx';
import { repoPath } from './fixture-path.ts';

export interface CliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs `tasks/main.ts` the way `npm run task --` does, as a separate process. */
export async function runTaskCli(args: readonly string[], env: Record<string, string> = {}): Promise<CliRun> {
  const result = await $({ cwd: repoPath(''), nothrow: true, quiet: true, env: { ...process.env, CI: 'true', ...env } })`${process.execPath} --import tsx tasks/main.ts ${args}`;
  return { exitCode: result.exitCode ?? -1, stdout: result.stdout, stderr: result.stderr };
}
