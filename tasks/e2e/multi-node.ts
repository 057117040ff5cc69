import { join } from 'node:path';
import getPort from 'get-port';
import { MockHive } from '../../mock-hive/mock-hive-server.ts';
import { runBounded } from '../lib/concurrency/run-bounded.ts';
import { runKeeperFlow } from '../lib/e2e/keeper-flow.ts';
import type { KeeperPlan } from '../lib/e2e/keeper-plan.ts';
import { PHASES, phaseCheckName } from '../lib/e2e/phase-runner.ts';
import { NodeReport } from '../lib/report/node-report.ts';
import { formatDuration } from '../lib/time/format-duration.ts';
import type { TaskContext } from '../runner/task-context.ts';
import type { E2ePlan } from './e2e-plan.ts';
import { hiveLauncher } from './hive-launcher.ts';
import type { NodeTarget } from './node-targets.ts';
import type { NodeOutcome as ReportNodeOutcome } from '../lib/report/run-report.ts';

/** One node's line in the report's `nodes` section (the shape merged reports use too) and the closing table. */
export interface NodeOutcome extends ReportNodeOutcome {
  hiveUrl: string | undefined;
  reachedAs: string;
  workerId: string;
  verdict: 'pass' | 'fail' | 'interrupted';
  /** The first phase (or check) that did not pass, and what it said. */
  failedAt?: string;
  detail?: string;
  durationMs: number;
}

const slug = (node: string): string => node.replace(/[^\w.-]+/g, '-');

/**
 * The worker id asked of a node's hive: `<--worker-id>-<n>-<node>`. The node's position makes it
 * unique, also as a substring (`…-3-node-3` is not part of `…-30-node-30`), which the teardown's
 * process search relies on.
 */
export function nodeWorkerId(base: string, index: number, node: string): string {
  return `${base}-${index + 1}-${slug(node)}`;
}

/** The flow against one node: its own built-in hive (simulated node) or its running hive, its own worker id, its checks named `[node] …`. */
async function runNode(context: TaskContext, plan: E2ePlan, target: NodeTarget, index: number, modelPath: string): Promise<string | undefined> {
  const view = new NodeReport(context.report, target.node);
  const quiet = context.flags.boolean('quiet');
  const print = (line: string): void => {
    if (!quiet) context.out.print(`[${target.node}] ${line}`);
  };
  const keeper: KeeperPlan = { ...plan.keeper, node: target.node, workerId: nodeWorkerId(plan.keeper.workerId, index, target.node), modelPath, hivePort: plan.hivePort ?? 0, reachedAs: target.reachedAs };
  if (target.hiveUrl) {
    await runKeeperFlow({ report: view, print }, { ...keeper, hiveUrl: target.hiveUrl, hivePort: Number(new URL(target.hiveUrl).port) || 80 });
    return target.hiveUrl;
  }
  const bind = target.bind as string;
  const logFile = join(context.runDir, `hive-${slug(target.node)}.log`);
  let hive: MockHive | undefined;
  const started = await view.check('built-in hive', async () => {
    hive = await MockHive.start({
      host: bind,
      port: plan.hivePort ?? (await getPort({ host: bind })),
      logFile,
      onLine: (line) => context.out.info(`[${target.node}] hive: ${line}`),
      pool: {
        launcher: hiveLauncher({ profile: keeper.profile, profilesFile: plan.profilesFile, heartbeatIntervalS: plan.heartbeatIntervalS, threads: plan.threads, contextSize: plan.contextSize, extraArgs: plan.extraArgs }),
        start: (options) => context.start(options),
        graceMs: plan.graceMs,
      },
    });
    return `listening on ${hive.url} (${target.reachedAs})`;
  });
  if (!started || !hive) {
    for (const phase of PHASES) view.skip(phaseCheckName(phase.id), 'the node has no hive');
    return undefined;
  }
  await using owned = hive;
  context.attachLog(`hive ${target.node}`, { path: logFile, lines: () => owned.log.lines() });
  await runKeeperFlow({ report: view, print, workerProcess: (id) => owned.pool?.guard(id) }, { ...keeper, hiveUrl: owned.url, hivePort: owned.port });
  return owned.url;
}

/** What one node's checks add up to. */
function outcomeOf(context: TaskContext, target: NodeTarget, workerId: string, hiveUrl: string | undefined): NodeOutcome {
  const checks = new NodeReport(context.report, target.node).checks();
  const bad = checks.find((check) => check.verdict === 'fail') ?? checks.find((check) => check.verdict === 'interrupted');
  const durationMs = checks.reduce((sum, check) => sum + check.durationMs, 0);
  const verdict = bad ? (bad.verdict === 'fail' ? 'fail' : 'interrupted') : checks.length ? 'pass' : 'fail';
  const count = (wanted: string): number => checks.filter((check) => check.verdict === wanted).length;
  const outcome: NodeOutcome = {
    node: target.node,
    source: hiveUrl ?? target.reachedAs,
    task: 'e2e',
    hiveUrl,
    reachedAs: target.reachedAs,
    workerId,
    verdict,
    exitCode: verdict === 'pass' ? 0 : verdict === 'fail' ? 1 : 130,
    summary: { passed: count('pass'), failed: count('fail'), skipped: count('skip'), interrupted: count('interrupted') },
    durationMs: Math.round(durationMs),
  };
  if (bad) {
    outcome.failedAt = bad.name.replace(`[${target.node}] `, '');
    outcome.detail = bad.detail;
  } else if (!checks.length) outcome.detail = 'no check ran';
  return outcome;
}

/**
 * The e2e flow on every node, `--concurrency` nodes at a time: one node's failure does not stop
 * the others (each tears down its own worker and hive). The report gets a row per node and
 * check, a `nodes` section and a per-node table; a failed node fails the run (exit 1).
 */
export async function runNodes(context: TaskContext, plan: E2ePlan, targets: readonly NodeTarget[], modelPath: string): Promise<NodeOutcome[]> {
  const { out, report } = context;
  const { node: _single, ...settings } = report.settings;
  report.settings = { ...settings, nodes: targets.map((target) => ({ node: target.node, ...(target.hiveUrl ? { hiveUrl: target.hiveUrl } : { builtInHiveOn: target.bind }) })), concurrency: plan.concurrency, workerIds: targets.map((target, i) => nodeWorkerId(plan.keeper.workerId, i, target.node)) };
  out.step(`Keeper: ${plan.keeper.modelRef} on ${targets.length} node${targets.length === 1 ? '' : 's'} (${Math.min(plan.concurrency, targets.length)} at a time)`);
  const started = performance.now();
  const urls = await runBounded(targets, plan.concurrency, (target, i) => runNode(context, plan, target, i, modelPath));
  // A node whose flow threw outside its checks (a bug, not a verdict) still gets its row.
  for (const [i, url] of urls.entries()) {
    const target = targets[i] as NodeTarget;
    if (url.status === 'rejected') await report.check(`[${target.node}] node`, async () => { throw url.reason; }, { node: target.node });
  }
  const outcomes = targets.map((target, i) => outcomeOf(context, target, nodeWorkerId(plan.keeper.workerId, i, target.node), urls[i]?.status === 'fulfilled' ? urls[i].value : undefined));
  report.sections.nodes = outcomes;
  const failed = outcomes.filter((outcome) => outcome.verdict !== 'pass');
  const width = Math.max(4, ...outcomes.map((outcome) => outcome.node.length));
  out.print(
    [
      '',
      `Nodes: ${outcomes.length - failed.length} of ${outcomes.length} passed in ${formatDuration(performance.now() - started)}`,
      ...outcomes.map((outcome) => `  ${outcome.verdict === 'pass' ? '✅' : '❌'} ${outcome.node.padEnd(width)}  ${outcome.verdict === 'pass' ? `all ${PHASES.length} phases passed` : `${outcome.failedAt}: ${outcome.detail}`}`),
    ].join('\n'),
  );
  return outcomes;
}
