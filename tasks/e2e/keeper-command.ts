import { fillTemplate } from '../lib/cli/command-template.ts';
import { PHASES, phaseCheckName } from '../lib/e2e/phase-runner.ts';
import { HiveClient } from '../lib/e2e/hive-client.ts';
import type { KeeperPlan } from '../lib/e2e/keeper-plan.ts';
import { poolUrl } from '../lib/e2e/pool-url.ts';
import { HarnessError } from '../lib/errors/harness-error.ts';
import { describeExit } from '../lib/process/process-guard.ts';
import { sqliteConnection } from '../lib/registry/sqlite-connection.ts';
import { WorkerRegistry } from '../lib/registry/worker-registry.ts';
import { formatDuration } from '../lib/time/format-duration.ts';
import type { TaskContext } from '../runner/task-context.ts';
import type { E2ePlan } from './e2e-plan.ts';

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The keeper's verdict for a phase from its output: `[Phase 3-5] ✓ …` / `[Phase 7] ✗ …` (✅/❌ too). */
export function phaseLine(lines: readonly string[], id: string): { passed: boolean; line: string } | undefined {
  const pattern = new RegExp(`\\[Phase ${escape(id)}\\]\\s*(✓|✅|✗|❌)`);
  for (const line of [...lines].reverse()) {
    const match = pattern.exec(line);
    if (match) return { passed: match[1] === '✓' || match[1] === '✅', line: line.trim() };
  }
  return undefined;
}

/**
 * `--keeper-cmd`: runs the user's keeper under a guard until it exits, reads its `[Phase N]`
 * lines into the same phase checks the built-in keeper records, then checks what the keeper
 * must leave behind: its exit code, the registry row, and no worker running after a failure.
 */
export async function runKeeperCommand(context: TaskContext, plan: E2ePlan, keeper: KeeperPlan, argv: string[]): Promise<void> {
  const { report, out } = context;
  const hiveUrl = poolUrl(keeper.node, keeper.hivePort);
  const values = {
    node: keeper.node, hivePort: keeper.hivePort, hiveUrl, model: keeper.modelPath, modelRef: keeper.modelRef, backend: keeper.backend, device: keeper.device,
    registry: keeper.registry, workerId: keeper.workerId, prompt: keeper.prompt, maxTokens: keeper.maxTokens, temperature: keeper.temperature,
  };
  const filled = fillTemplate(argv, values, 'keeper-cmd');
  out.step(`Keeper: ${filled.join(' ')}`);
  const lines: string[] = [];
  const guard = await context.start({ name: 'keeper', command: filled[0] as string, args: filled.slice(1), cwd: keeper.cwd, graceMs: plan.graceMs, onLine: (line) => lines.push(line) });
  const exit = await Promise.race([guard.settled, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), plan.keeperTimeoutMs).unref())]);
  if (!exit) await guard.stop();
  const exitText = exit ? describeExit(exit) : `did not finish within ${formatDuration(plan.keeperTimeoutMs)} and was stopped`;
  const keeperPassed = exit?.code === 0;

  for (const phase of PHASES) {
    const seen = phaseLine(lines, phase.id);
    const name = phaseCheckName(phase.id);
    if (!seen) {
      if (keeperPassed) await report.check(name, async () => { throw new HarnessError('PHASE_NOT_REPORTED', `the keeper exited 0 but printed no [Phase ${phase.id}] ✓/✗ line`); });
      else report.skip(name, `the keeper printed no [Phase ${phase.id}] line (it ${exitText})`);
      continue;
    }
    await report.check(name, async () => {
      if (!seen.passed) throw new HarnessError('PHASE_FAILED', `keeper: ${seen.line}`, { evidence: { logTail: guard.tail(context.tailLines) } });
      return `keeper: ${seen.line}`;
    });
  }
  await report.check('keeper exit', async () => {
    if (!keeperPassed) throw new HarnessError('KEEPER_FAILED', `the keeper ${exitText}`, { evidence: { exit, logTail: guard.tail(context.tailLines) } });
    return `the keeper ${exitText}`;
  });
  if (keeperPassed) {
    await report.check('registry row', async () => {
      const connection = sqliteConnection(keeper.registry, keeper.cwd);
      if (connection.memory) return 'registry is :memory:, nothing to read back';
      using registry = WorkerRegistry.open(keeper.registry, keeper.cwd);
      const row = registry.list().find((candidate) => candidate.model === keeper.modelRef || candidate.workerId === keeper.workerId);
      if (!row) throw new HarnessError('REGISTRY_ROW_MISSING', `the keeper passed but ${connection.connectionString} has no row for ${keeper.modelRef}`, { evidence: { rows: registry.list() } });
      return `${row.workerId}: url ${row.url}, model ${row.model}, backend ${row.backend}, state ${row.state}`;
    });
  }
  if (plan.hive.kind !== 'external') {
    await report.check('teardown: no worker left', async () => {
      const hive = new HiveClient(hiveUrl, 2000);
      const listed = await hive.worker(keeper.workerId).catch(() => undefined);
      const running = listed && !['Exited', 'Stopped', 'Failed'].includes(listed.state);
      if (running && !keeperPassed) throw new HarnessError('WORKER_LEFT_RUNNING', `the keeper failed and left worker ${keeper.workerId} running (${listed.state} at ${listed.url})`, { evidence: { worker: listed }, hint: 'the keeper must stop the workers it spawned when a run fails' });
      return running ? `worker ${keeper.workerId} still running after a passing run (the harness stops it with the hive)` : 'no worker left running';
    });
  }
}
