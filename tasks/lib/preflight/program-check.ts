import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { HarnessError } from '../errors/harness-error.ts';

/**
 * A program the harness will start: on PATH (bare name) or an existing executable file.
 * Returns its resolved path; throws `WORKER_BIN_MISSING` / `WORKER_BIN_NOT_EXECUTABLE`.
 */
export async function resolveExecutable(program: string, flag: string, what = 'worker'): Promise<string> {
  // zx (for its `which`) is loaded only when a bare name must be looked up on PATH: it costs
  // ~100 ms of start-up that a run of the built-in worker does not need.
  const resolved = program.includes('/') ? program : await (await import('zx')).which(program, { nothrow: true });
  if (!resolved) throw new HarnessError('WORKER_BIN_MISSING', `${what} program '${program}' is not on PATH`, { kind: 'environment', hint: `build your ${what}, or give ${flag} a path` });
  const info = await stat(resolved).catch(() => undefined);
  if (!info?.isFile()) throw new HarnessError('WORKER_BIN_MISSING', `${what} binary ${resolved} does not exist`, { kind: 'environment', hint: `build your ${what}, or give ${flag} the right path` });
  await access(resolved, constants.X_OK).catch(() => {
    throw new HarnessError('WORKER_BIN_NOT_EXECUTABLE', `${what} binary ${resolved} is not executable`, { kind: 'environment', hint: `chmod +x ${resolved}` });
  });
  return resolved;
}
