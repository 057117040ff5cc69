// What each node of a fleet runs (one Slurm task per node, or one pod of a Kubernetes Indexed
// Job): `node --import tsx tasks/fleet/node-step.ts <shared dir> <task> [args…]`. It runs the task
// with its report in <shared dir>/<node>/ and exits with the task's exit code; SIGTERM from
// scancel (or the kubelet) tears the task's processes down as a Ctrl-C does.
import { installSignalTeardown } from '../lib/process/guard-registry.ts';
import { runAsMain } from '../runner/run-main.ts';
import { TASKS } from '../task-table.ts';
import { fleetNodeName, nodeArgv } from './fleet-node.ts';

const [sharedDir, ...taskArgv] = process.argv.slice(2);
const node = fleetNodeName(process.env);
if (!sharedDir || taskArgv.length === 0 || !node) {
  process.stderr.write(`hivecheck fleet node: usage: node-step.ts <shared dir> <task> [args…], run by srun (SLURMD_NODENAME) or as an Indexed Job pod (JOB_COMPLETION_INDEX)${node ? '' : '; neither is set'}\n`);
  process.exit(2);
}
// A cancel can come before the task has started anything (Slurm signals a step as soon as it is
// cancelled): taken in from here on, it lets the run go on to write its interrupted report (no
// check starts once the harness is stopping) instead of ending the node with no report at all.
installSignalTeardown();
const argv = nodeArgv(node, sharedDir, taskArgv, process.env);
process.stdout.write(`hivecheck fleet node ${node}: ${argv.join(' ')}\n`);
await runAsMain(argv, TASKS);
