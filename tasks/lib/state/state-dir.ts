import { isAbsolute, join, resolve } from 'node:path';
import { userCwd } from '../cli/user-cwd.ts';

/**
 * The environment variable that carries the state dir to every process a run starts. (Not
 * HIVECHECK_STATE_DIR: that one is where the process-group run records live, machine-wide, in tmp.)
 */
export const STATE_DIR_ENV = 'HIVECHECK_HOME';

/**
 * Where everything a run writes goes (runs, models, the registry, the engine, bench results):
 * `--state-dir` (the runner puts it in HIVECHECK_HOME for child processes), else
 * `<where the user ran the command>/.hivecheck`. Never beside the code: once installed, the code
 * is in node_modules, which may be read-only.
 */
export function stateDir(env: NodeJS.ProcessEnv = process.env, cwd: string = userCwd(env)): string {
  const given = env[STATE_DIR_ENV];
  if (given !== undefined && given !== '') return isAbsolute(given) ? given : resolve(cwd, given);
  return join(cwd, '.hivecheck');
}

/**
 * A path under the state dir for a flag's default: absolute under --state-dir / HIVECHECK_HOME,
 * else `.hivecheck/<parts>`, which the task resolves from where the user ran the command.
 */
export function stateDefault(...parts: string[]): string {
  const given = process.env[STATE_DIR_ENV];
  return given !== undefined && given !== '' ? join(stateDir(), ...parts) : join('.hivecheck', ...parts);
}

/** A folder under the state dir: `statePath('models')`. */
export function statePath(...parts: string[]): string {
  return join(stateDir(), ...parts);
}
