import { quote } from 'shell-quote';
import { nodeProgram, type ProgramName } from '../../tasks/lib/process/node-program.ts';

/**
 * One of this package's programs as a command string for `--worker-cmd` / `--server-cmd`: the
 * built file when the runner's build is current (the vitest global setup makes it), else its
 * source through tsx, exactly as the harness starts its built-in fixtures.
 */
export function programCommand(name: ProgramName, ...args: string[]): string {
  return quote([...nodeProgram(name), ...args]);
}
