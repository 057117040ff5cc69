import { join } from 'node:path';
import getPort from 'get-port';
import { MockHive } from '../../mock-hive/mock-hive-server.ts';
import { fillTemplate } from '../lib/cli/command-template.ts';
import { runKeeperFlow } from '../lib/e2e/keeper-flow.ts';
import type { KeeperPlan } from '../lib/e2e/keeper-plan.ts';
import { poolUrl } from '../lib/e2e/pool-url.ts';
import { userCwd } from '../lib/cli/user-cwd.ts';
import type { TaskDefinition } from '../runner/task-definition.ts';
import type { TaskContext } from '../runner/task-context.ts';
import { E2E_FLAGS } from './e2e-flags.ts';
import { e2ePreflight } from './e2e-preflight.ts';
import { planE2e, type E2ePlan } from './e2e-plan.ts';
import { hiveLauncher } from './hive-launcher.ts';
import { runKeeperCommand } from './keeper-command.ts';
import { runNodes } from './multi-node.ts';


async function withBuiltinHive(context: TaskContext, plan: E2ePlan, keeper: KeeperPlan): Promise<void> {
  const logFile = join(context.runDir, 'hive.log');
  await using hive = await MockHive.start({
    port: plan.hivePort,
    logFile,
    onLine: (line) => context.out.info(`hive: ${line}`),
    pool: {
      launcher: hiveLauncher({ profile: keeper.profile, profilesFile: plan.profilesFile, heartbeatIntervalS: plan.heartbeatIntervalS, threads: plan.threads, contextSize: plan.contextSize, extraArgs: plan.extraArgs }),
      start: (options) => context.start(options),
      graceMs: plan.graceMs,
    },
  });
  context.attachLog('hive', { path: logFile, lines: () => hive.log.lines() });
  context.out.info(`built-in hive listening on ${hive.url}`);
  await runKeeper(context, plan, { ...keeper, hivePort: hive.port }, { workerProcess: (id) => hive.pool?.guard(id) });
}

async function withCommandHive(context: TaskContext, plan: E2ePlan, keeper: KeeperPlan, argv: string[]): Promise<void> {
  const port = plan.hivePort ?? (await getPort({ host: '127.0.0.1' }));
  const filled = fillTemplate(argv, { port }, 'hive-cmd');
  context.out.info(`hive: ${filled.join(' ')}`);
  await using hive = await context.start({ name: 'hive', command: filled[0] as string, args: filled.slice(1), graceMs: plan.graceMs });
  await runKeeper(context, plan, { ...keeper, hivePort: port }, { hiveProcess: hive });
}

async function runKeeper(context: TaskContext, plan: E2ePlan, keeper: KeeperPlan, hooks: Pick<Parameters<typeof runKeeperFlow>[0], 'hiveProcess' | 'workerProcess'>): Promise<void> {
  context.report.settings = { ...context.report.settings, hiveUrl: poolUrl(keeper.node, keeper.hivePort), workerIds: [keeper.workerId] };
  if (plan.keeperCmd) {
    await runKeeperCommand(context, plan, keeper, plan.keeperCmd);
    return;
  }
  context.out.step(`Keeper: ${keeper.modelRef} on ${keeper.node} (${keeper.backend}:${keeper.device})`);
  const print = (line: string): void => context.out.print(line);
  await runKeeperFlow({ report: context.report, print: context.flags.boolean('quiet') ? () => undefined : print, ...hooks }, keeper);
}

export const e2eTask: TaskDefinition = {
  name: 'e2e',
  summary: 'keeper → hive → worker in 8 phases: registry, pool preflight, spawn, registration, ready, inference',
  description: [
    'The end-to-end flow. The harness plays the keeper, the client that asks a hive for a worker and sends it a prompt (or runs --keeper-cmd), against a hive',
    '(the built-in spawning hive, --hive-cmd, or --external-hive) and a worker the hive spawns:',
    '  Phase 1 worker registry (SQLite), 2 pool preflight (GET /v1/health), 3–5 worker spawn,',
    '  6 registration (row: url, model, backend, state), 7 ready (fail fast after N consecutive',
    '  errors, keep waiting on "not ready yet"), 8 inference (tokens back).',
    'Any failure stops the flow, dumps the hive and worker logs, and the worker is stopped: the run',
    'checks that no process of it is left. Preflight (model, worker command, port) runs first: exit 3.',
    'Several nodes: --nodes a,b,c (each hive by the --node rule; built-in hives on 127.0.0.2, .3, … unless',
    '--external-hive) or --hive-url repeated; the phases run per node, --concurrency at a time, one',
    "node's failure does not stop the others; a row per node and phase; exit 1 if any node failed.",
  ].join('\n'),
  flags: E2E_FLAGS,
  examples: [
    'npm run task -- e2e',
    'npm run task -- e2e --node 127.0.0.1 --registry ~/.rbee/workers.db --max-tokens 8',
    'npm run task -- e2e --hive-cmd "./target/debug/rbee-hive daemon --port {port}" --model ./models/tinyllama.gguf',
    'npm run task -- e2e --nodes gpu-1,gpu-2,gpu-3',
    'npm run task -- e2e --nodes gpu-1,gpu-2 --external-hive --hive-port 8080 --concurrency 2',
    'npm run task -- e2e --hive-url a=http://127.0.0.2:8080 --hive-url b=http://127.0.0.3:8080',
    'npm run task -- e2e --keeper-cmd "./target/debug/rbee infer --node {node} --model {modelRef} --prompt {prompt}" --external-hive --hive-port 8080',
  ],
  async run(context, flags) {
    const cwd = userCwd();
    const plan = planE2e(flags, cwd);
    context.report.settings = { node: plan.keeper.node, hive: plan.hive.kind, backend: plan.keeper.backend, device: plan.keeper.device, registry: plan.keeper.registry, workerIds: [plan.keeper.workerId] };
    context.out.step('Preflight');
    const modelPath = await e2ePreflight(context, plan, cwd);
    if (!modelPath) return;
    if (plan.nodes) {
      await runNodes(context, plan, plan.nodes, modelPath);
      return;
    }
    const keeper: KeeperPlan = { ...plan.keeper, modelPath, hivePort: plan.hivePort ?? 0 };
    if (plan.hive.kind === 'builtin') await withBuiltinHive(context, plan, keeper);
    else if (plan.hive.kind === 'cmd') await withCommandHive(context, plan, keeper, plan.hive.argv);
    else await runKeeper(context, plan, keeper, {});
  },
};
