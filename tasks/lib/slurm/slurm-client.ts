import { HarnessError } from '../errors/harness-error.ts';
import { ProcessGuard } from '../process/process-guard.ts';

export interface ClientResult {
  code: number | null;
  lines: string[];
}

/**
 * Runs one Slurm client command (squeue, scancel, scontrol) under a guard, with a deadline: its
 * whole output and exit code. Slurm's commands read `SLURM_CONF` from the environment, as always.
 */
export async function slurmClient(command: string, args: readonly string[], timeoutMs = 10_000, env?: Record<string, string>): Promise<ClientResult> {
  // Client commands also cancel a job while the harness stops (Ctrl-C): they are part of the teardown.
  await using guard = await ProcessGuard.start({ name: command, command, args, ringLines: 10_000, graceMs: 500, teardown: true, ...(env ? { env } : {}) });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
  try {
    const exit = await Promise.race([guard.settled, timedOut]);
    if (exit === 'timeout') {
      throw new HarnessError('SLURM_COMMAND_TIMEOUT', `${command} ${args.join(' ')} did not answer within ${timeoutMs} ms`, { kind: 'environment', evidence: { logTail: guard.tail(20) }, hint: 'is slurmctld running and reachable (scontrol ping)?' });
    }
    return { code: exit.code, lines: guard.tail(10_000) };
  } finally {
    clearTimeout(timer);
  }
}

/** The job's state as squeue shows it (`PENDING`, `RUNNING`, `COMPLETING`), or undefined once it has left the queue. */
export async function jobState(jobId: string): Promise<string | undefined> {
  const result = await slurmClient('squeue', ['--noheader', '--jobs', jobId, '--format', '%T']);
  // squeue says "Invalid job id specified" (exit 1) for a job that has left the controller's memory.
  if (result.code !== 0) return undefined;
  return result.lines.map((line) => line.trim()).find((line) => line !== '');
}

/** Expands a hostlist expression (`n[1-3]`) into node names, as Slurm does. */
export async function expandHostlist(expression: string): Promise<string[]> {
  const result = await slurmClient('scontrol', ['show', 'hostnames', expression]);
  if (result.code !== 0) throw new HarnessError('SLURM_HOSTLIST', `scontrol show hostnames ${expression} failed: ${result.lines.join(' ')}`, { kind: 'environment' });
  return result.lines.map((line) => line.trim()).filter(Boolean);
}
