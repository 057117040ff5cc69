/** What one fleet run asks of Slurm. */
export interface SrunRequest {
  /** A unique job name (`hivecheck-fleet-<id>`): the job is found and cancelled by it until its id is known. */
  jobName: string;
  nodes: number;
  nodelist?: string;
  partition?: string;
  /** `gpu:1`: generic resources per node, passed through as `--gres`. */
  gres?: string;
  /** Wall-clock limit in minutes (Slurm kills the job past it). */
  timeLimitMinutes: number;
  /** Extra srun arguments, passed as given (`--account=x`, `--qos=y`). */
  extra?: readonly string[];
  /** The command every node runs (argv, no shell). */
  command: readonly string[];
}

/**
 * srun's argv for one job whose single step runs one task on each of `nodes` nodes. `--verbose`
 * makes srun print the job id and node list as soon as the job is granted (the launcher reads
 * them from its output instead of polling squeue); `--label` prefixes each output line with
 * the task number; `--kill-on-bad-exit=0` lets the other nodes finish when one node fails.
 */
export function srunArgs(request: SrunRequest): string[] {
  return [
    '--verbose',
    '--label',
    `--job-name=${request.jobName}`,
    `--nodes=${request.nodes}`,
    `--ntasks=${request.nodes}`,
    '--ntasks-per-node=1',
    '--kill-on-bad-exit=0',
    `--time=${request.timeLimitMinutes}`,
    ...(request.nodelist ? [`--nodelist=${request.nodelist}`] : []),
    ...(request.partition ? [`--partition=${request.partition}`] : []),
    ...(request.gres ? [`--gres=${request.gres}`] : []),
    ...(request.extra ?? []),
    '--',
    ...request.command,
  ];
}
