import { join } from 'node:path';

/**
 * Which node this is, from its environment: HIVECHECK_NODE when set (a Kubernetes pod sets it to
 * its node's name through the downward API), else Slurm's node name, else a Kubernetes Indexed
 * Job's index (`index-<i>`).
 */
export function fleetNodeName(env: NodeJS.ProcessEnv): string | undefined {
  if (env.HIVECHECK_NODE && /^[\w.-]+$/.test(env.HIVECHECK_NODE)) return env.HIVECHECK_NODE;
  if (env.SLURMD_NODENAME) return env.SLURMD_NODENAME;
  if (env.JOB_COMPLETION_INDEX !== undefined && env.JOB_COMPLETION_INDEX !== '') return `index-${env.JOB_COMPLETION_INDEX}`;
  return undefined;
}

/** Extra task arguments for some nodes only (`--node-arg n2=--worker-arg=--fault=crash-at-start`), passed to the nodes as JSON. */
export const NODE_ARGS_ENV = 'HIVECHECK_FLEET_NODE_ARGS';

/** The argv one node runs: the task, its arguments, this node's extra ones, and its own report folder in the shared folder. */
export function nodeArgv(node: string, sharedDir: string, taskArgv: readonly string[], env: NodeJS.ProcessEnv): string[] {
  const extra = (JSON.parse(env[NODE_ARGS_ENV] ?? '{}') as Record<string, string[]>)[node] ?? [];
  return [...taskArgv, ...extra, '--report', join(sharedDir, node)];
}
