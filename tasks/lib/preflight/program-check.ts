import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { which } from 'zx';
import { HarnessError } from '../errors/harness-error.ts';

/**
 * A program the harness will start: on PATH (bare name) or an existing executable file.
 * Returns its resolved path; throws `WORKER_BIN_MISSING` / `WORKER_BIN_NOT_EXECUTABLE`.
 */
export async function resolveExecutable(program: string, flag: string, what = 'worker'): Promise<string> {
  const resolved = program.includes('/') ? program : await which(program, { nothrow: true });
  if (!resolved) throw new HarnessError('WORKER_BIN_MISSING', `${what} program '${program}' is not on PATH`, { kind: 'environment', hint: `build your ${what}, or give ${flag} a path` });
  const info = await stat(resolved).catch(() => undefined);
  if (!info?.isFile()) throw new HarnessError('WORKER_BIN_MISSING', `${what} binary ${resolved} does not exist`, { kind: 'environment', hint: `build your ${what}, or give ${flag} the right path` });
  await access(resolved, constants.X_OK).catch(() => {
    throw new HarnessError('WORKER_BIN_NOT_EXECUTABLE', `${what} binary ${resolved} is not executable`, { kind: 'environment', hint: `chmod +x ${resolved}` });
  });
  return resolved;
}
