import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { HarnessError } from '../lib/errors/harness-error.ts';
import { shutdownSignal } from '../lib/process/guard-registry.ts';
import { nodeProgram } from '../lib/process/node-program.ts';
import { mergeRuns } from '../lib/merge/merge-runs.ts';
import type { RunPart } from '../lib/merge/run-part.ts';
import { adoptSubReport, readReportJson } from '../lib/merge/sub-report.ts';
import { expandHostlist } from '../lib/slurm/slurm-client.ts';
import { SlurmJob } from '../lib/slurm/slurm-job.ts';
import { srunArgs } from '../lib/slurm/srun-args.ts';
import { formatDuration } from '../lib/time/format-duration.ts';
import type { TaskDefinition } from '../runner/task-definition.ts';
import { NODE_ARGS_ENV } from './fleet-node.ts';

/** Tasks a node can run: the check tasks (not the services, the cleanup, or fleet runs themselves). */
const NODE_TASKS = ['preflight', 'worker:test', 'status-protocol:test', 'canary:check', 'e2e', 'all'];
/** Flags the fleet sets for every node: a node's own copy would send its report elsewhere. */
const FLEET_OWNED = ['--report', '--json'];

function parseNodeArgs(values: readonly string[]): Record<string, string[]> {
  const byNode: Record<string, string[]> = {};
  for (const value of values) {
    const at = value.indexOf('=');
    if (at <= 0 || at === value.length - 1) throw new HarnessError('BAD_NODE_ARG', `--node-arg must be <node>=<argument>; got '${value}'`, { kind: 'usage', hint: '--node-arg n2=--worker-arg=--fault=crash-at-start' });
    (byNode[value.slice(0, at)] ??= []).push(value.slice(at + 1));
  }
  return byNode;
}

export const fleetTask: TaskDefinition = {
  name: 'fleet',
  summary: 'run a check task on many nodes through Slurm (one srun task per node), merge their reports, one verdict',
  description: [
    'Submits one Slurm job whose step runs the task once on each node (srun --nodes N --ntasks N',
    '--ntasks-per-node 1, plus --nodelist, --partition, --gres when given). Each node writes its',
    'report into <shared dir>/<node>/ (a folder every node can write: the report folder by default,',
    'which must then be on a shared filesystem); when the job ends the reports are merged as',
    "merge-reports does: every node's checks named '<node> › <check>', a verdict line per node, junit",
    'with a testsuite per node, report.html with lanes per node. Exit code: 1 when any node failed',
    '(the node is named), 3 (2) when a node stopped on an environment (usage) error or Slurm is missing.',
    'Ctrl-C or SIGTERM cancels the job (scancel) and waits until it has left the queue.',
    'The task and its arguments come after `--`; --report and --json belong to the fleet run.',
  ].join('\n'),
  positionals: { usage: '-- <task> [task flags…]', description: `the task every node runs (${NODE_TASKS.join(', ')}) and its flags` },
  flags: [
    { name: 'launcher', type: 'string', choices: ['slurm'], default: 'slurm', description: 'what starts the nodes (Slurm; the Kubernetes equivalent is described in docs/fleet.md)' },
    { name: 'nodes', type: 'number', integer: true, min: 1, max: 10_000, description: 'how many nodes run the task (one task per node)' },
    { name: 'nodelist', type: 'string', valueName: 'hostlist', description: 'which nodes, as Slurm writes them (n[1-3],gpu7)' },
    { name: 'partition', type: 'string', description: 'Slurm partition' },
    { name: 'gres', type: 'string', valueName: 'gpu:N', description: 'generic resources per node, passed to srun as --gres (gpu:1)' },
    { name: 'shared-dir', type: 'string', valueName: 'dir', defaultLabel: '<report dir>/nodes', description: 'folder every node writes its report into (<dir>/<node>/), on a filesystem all nodes share' },
    { name: 'time-limit', type: 'number', integer: true, min: 1, default: 60, valueName: 'minutes', description: "the job's wall-clock limit (srun --time); the harness waits this long plus a minute" },
    { name: 'submit-timeout', type: 'number', min: 0.1, default: 60, valueName: 'seconds', description: 'how long srun may take to print the job id (queued or granted)' },
    { name: 'node-arg', type: 'strings', valueName: 'node=arg', description: "an extra task argument for one node only (repeat for more): a node's own --device, or a fault to try the verdict" },
    { name: 'srun-arg', type: 'strings', valueName: 'arg', description: 'extra srun argument, passed as given (--account=x, --qos=y)' },
  ],
  examples: [
    'npm run task -- fleet --nodes 3 --report out/fleet -- worker:test --timeout 120',
    'npm run task -- fleet --nodes 2 --nodelist gpu[1-2] --gres gpu:1 --partition gpu --shared-dir /shared/hc -- worker:test --backend cuda',
    'npm run task -- fleet --nodes 3 --node-arg n2=--worker-arg=--fault=crash-at-start -- worker:test',
  ],
  async run(context, flags) {
    const { report, out } = context;
    const [task, ...taskArgs] = flags.positionals;
    if (!task) throw new HarnessError('NO_TASK', 'no task given for the nodes', { kind: 'usage', hint: 'npm run task -- fleet --nodes 3 -- worker:test' });
    if (!NODE_TASKS.includes(task)) throw new HarnessError('BAD_NODE_TASK', `'${task}' cannot run on fleet nodes; one of ${NODE_TASKS.join(', ')}`, { kind: 'usage' });
    const owned = taskArgs.find((arg) => FLEET_OWNED.some((flag) => arg === flag || arg.startsWith(`${flag}=`)));
    if (owned) throw new HarnessError('FLEET_OWNED_FLAG', `${owned} is the fleet run's own flag: give it before --`, { kind: 'usage', hint: 'npm run task -- fleet --nodes 3 --report out -- worker:test' });
    if (!flags.has('nodes')) throw new HarnessError('FLAG_REQUIRED', '--nodes is required', { kind: 'usage', hint: 'npm run task -- fleet --nodes 3 -- worker:test' });
    const nodes = flags.number('nodes');
    const nodeArgs = parseNodeArgs(flags.list('node-arg'));
    const reportFlag = flags.optionalString('report');
    const sharedDir = resolve(context.cwd, flags.optionalString('shared-dir') ?? join(reportFlag ? resolve(context.cwd, reportFlag) : context.runDir, 'nodes'));
    const { which } = await import('zx');
    if (!(await which('srun', { nothrow: true }))) {
      throw new HarnessError('SLURM_NOT_FOUND', 'srun is not on PATH: this machine is not a Slurm submit host', { kind: 'environment', hint: 'run from a Slurm login node, or install the client (Debian: apt-get install slurm-client) and set SLURM_CONF' });
    }
    await mkdir(sharedDir, { recursive: true });
    const jobName = `hivecheck-fleet-${randomUUID().slice(0, 8)}`;
    const command = [...nodeProgram('fleet-node-step'), sharedDir, task, ...taskArgs];
    const timeLimitMinutes = flags.number('time-limit');
    const args = srunArgs({
      jobName,
      nodes,
      nodelist: flags.optionalString('nodelist'),
      partition: flags.optionalString('partition'),
      gres: flags.optionalString('gres'),
      timeLimitMinutes,
      extra: flags.list('srun-arg'),
      command,
    });
    report.settings = { launcher: 'slurm', nodes, task: [task, ...taskArgs].join(' '), sharedDir, jobName, srun: ['srun', ...args].join(' '), ...(Object.keys(nodeArgs).length ? { nodeArgs } : {}), workerIds: [] };

    out.step(`srun: ${nodes} node(s) run ${[task, ...taskArgs].join(' ')}`);
    const srun = await context.start({ name: 'srun', command: 'srun', args, env: { [NODE_ARGS_ENV]: JSON.stringify(nodeArgs) }, ringLines: 5000 });
    await using job = new SlurmJob(srun, jobName);
    // Cancelled (Ctrl-C, SIGTERM): the nodes' harnesses got SIGTERM and wrote interrupted reports;
    // take in what they wrote, so the interrupted report shows how far each node got.
    job.onCancelled(async () => {
      const names = job.nodelist ? await expandHostlist(job.nodelist).catch(() => []) : [];
      for (const node of names) {
        const sub = readReportJson(join(sharedDir, node));
        if (sub) adoptSubReport(report, sub, { prefix: node, node, offsetMs: Date.parse(sub.startedAt) - report.startedAt.getTime() });
      }
    });
    const jobId = await job.waitForJobId(flags.number('submit-timeout') * 1000).catch((error: unknown) => {
      // srun refused the request (a bad --gres, an unknown partition or node): Slurm said why in its last lines.
      if (!srun.exitInfo) throw error;
      const said = srun.tail(5).filter((line) => /error/i.test(line)).join(' | ') || (srun.tail(1)[0] ?? 'no output');
      throw new HarnessError('SLURM_SUBMIT_FAILED', `Slurm did not start the job: ${said}`, { kind: 'environment', evidence: { process: 'srun', exit: srun.exitInfo, logTail: srun.tail(30) }, hint: 'check --nodes, --nodelist, --partition and --gres against sinfo -N -o "%N %P %G %t"' });
    });
    report.settings.jobId = jobId;
    out.info(`slurm job ${jobId}${job.nodelist ? ` on ${job.nodelist}` : ' queued'}; reports into ${sharedDir}`);
    const limitMs = (timeLimitMinutes + 1) * 60_000;
    let timer: NodeJS.Timeout | undefined;
    const over = new Promise<'timeout'>((resolveTimeout) => (timer = setTimeout(() => resolveTimeout('timeout'), limitMs)));
    const ended = await Promise.race([srun.settled, over]).finally(() => clearTimeout(timer));
    // Interrupted: the job's cancel took in the nodes' reports; the runner writes the interrupted report.
    if (shutdownSignal()) return;
    if (ended === 'timeout') throw new HarnessError('FLEET_TIMEOUT', `job ${jobId} still running after ${formatDuration(limitMs)}; cancelling it`, { kind: 'check', evidence: { process: 'srun', logTail: srun.tail(30) } });
    job.release();
    report.settings.nodelist = job.nodelist;

    const names = job.nodelist ? await expandHostlist(job.nodelist) : [...new Set(job.taskExits.map((exit) => exit.node))];
    if (names.length === 0) throw new HarnessError('SLURM_JOB_FAILED', `srun ${describe(ended)} before the job ran on any node`, { kind: 'environment', evidence: { process: 'srun', logTail: srun.tail(30) }, hint: 'see the srun log: sinfo shows whether the nodes are up' });
    const parts: RunPart[] = names.map((node) => {
      const dir = join(sharedDir, node);
      const sub = readReportJson(dir);
      return { node, dir, ...(sub ? { report: sub } : {}) };
    });
    const exitCodes = new Map(job.taskExits.map((exit) => [exit.node, exit.exitCode]));
    const outcomes = await mergeRuns(report, parts, report.startedAt.getTime(), exitCodes);
    report.settings.workerIds = parts.flatMap((part) => (Array.isArray(part.report?.settings.workerIds) ? (part.report.settings.workerIds as string[]) : []));
    out.info(`merged ${outcomes.filter((outcome) => outcome.verdict !== 'missing').length}/${names.length} node reports (srun ${describe(ended)})`);
  },
};

const describe = (exit: { code: number | null; signal: NodeJS.Signals | null }): string => (exit.signal ? `killed by ${exit.signal}` : `exited ${exit.code}`);
