import { HarnessError } from '../lib/errors/harness-error.ts';
import { judgeCanary } from '../lib/canary/judge/judge.ts';
import { renderJudgementTable } from '../lib/canary/judge/judgement-table.ts';
import type { CanaryEvidence } from '../lib/canary/canary-evidence.ts';
import { recordJudgement } from '../lib/canary/record-judgement.ts';
import { shutdownSignal } from '../lib/process/guard-registry.ts';
import type { KindHooks } from '../lib/canary/chat/chat-canary-run.ts';
import { runWsClientCanary } from '../lib/canary/ws-client/run-ws-client.ts';
import { runWsServerCanary } from '../lib/canary/ws-server/run-ws-server.ts';
import type { TaskContext } from '../runner/task-context.ts';
import type { TaskDefinition } from '../runner/task-definition.ts';
import { CANARY_FLAGS } from './canary-flags.ts';
import { runPolicyCanary } from './policy-kind.ts';
import { runWorkerCanary } from './worker-kind.ts';
import { planCanary, PLACEHOLDERS, type CanaryPlan } from './canary-plan.ts';

/** The WebSocket kinds' plan; user commands run from where the user ran the task. */
function chatPlan(plan: CanaryPlan): NonNullable<CanaryPlan['chat']> {
  return { ...(plan.chat as NonNullable<CanaryPlan['chat']>), ...(plan.builtIn ? {} : { cwd: process.env.INIT_CWD ?? process.cwd() }) };
}

async function runKind(context: TaskContext, plan: CanaryPlan, hooks: KindHooks): Promise<CanaryEvidence> {
  switch (plan.kind) {
    case 'ws-client':
      return await runWsClientCanary(chatPlan(plan), hooks);
    case 'ws-server':
      return await runWsServerCanary(chatPlan(plan), hooks);
    case 'worker':
      return await runWorkerCanary(context, plan);
    case 'policy':
      return await runPolicyCanary(context, plan);
  }
}

export const canaryTask: TaskDefinition = {
  name: 'canary:check',
  summary: 'run the same probes on a baseline and a canary, interleaved, and decide promote / hold / rollback',
  description: [
    'Starts a baseline and a canary (two commands, or the built-in reference pair) side by side, runs the same',
    'probes on both (interleaved in random order, through a fault proxy where the kind has a network path), and',
    'judges: hard gates first (a probe the baseline passes and the canary fails rolls back), then numeric metrics',
    '(Mann–Whitney U, Hodges–Lehmann interval, ratio of medians with an effect-size floor, tail ratio).',
    'Kinds: ws-client (a long-lived bot; the harness serves the chat protocol at {url}: it sends',
    '{"type":"message","id","text"}, the bot answers {"type":"reply","id","text"}), ws-server (a WebSocket service',
    'listening on {port}; the harness connects to it at --ws-path through the proxy and speaks the same protocol as',
    'the client: it sends the messages, the service answers), worker (LLM workers beside',
    'mock hives, worker:test checks as gates), policy (policy servers, status-protocol:test checks as gates).',
    'worker: the samples are taken in --replicas rounds (default 5), each with a fresh baseline and canary worker, so a',
    'difference between two processes (CPU placement, a neighbour\'s load) is not read as one between versions: a',
    'metric rolls back only when a sign test over the rounds\' pairs is significant (with 5 rounds: worse in all 5);',
    'worse in fewer rounds is a hold.',
    `Placeholders: ws-client ${PLACEHOLDERS['ws-client'].map((name) => `{${name}}`).join(' ')}; ws-server ${PLACEHOLDERS['ws-server'].map((name) => `{${name}}`).join(' ')}; worker ${PLACEHOLDERS.worker.map((name) => `{${name}}`).join(' ')}; policy {port}.`,
    'Exit codes: 0 promote, 1 rollback, 4 hold (inconclusive: a person decides), 2 usage error, 3 environment error.',
  ].join('\n'),
  flags: CANARY_FLAGS,
  examples: [
    'npm run task -- canary:check --aa',
    'npm run task -- canary:check --canary-fault keepalive-off --idle 1',
    'npm run task -- canary:check --baseline "python bot_v1.py --url {url}" --canary "python bot_v2.py --url {url}" --detect-within 15',
    'npm run task -- canary:check --kind ws-server --canary-fault keepalive-off',
    'npm run task -- canary:check --kind ws-server --baseline "./chat-v1 --port {port}" --canary "./chat-v2 --port {port}" --detect-within 30',
    'npm run task -- canary:check --kind worker --canary-fault slow-tokens',
    'npm run task -- canary:check --kind policy --canary-fault slow-load',
  ],
  async run(context: TaskContext, flags) {
    const plan = planCanary(flags);
    context.report.settings = { kind: plan.kind, aa: plan.aa, builtIn: plan.builtIn, canaryFault: plan.canaryFault ?? null, compared: plan.compared, samples: plan.samples, ...(plan.kind === 'worker' ? { replicas: plan.replicas } : {}), judge: plan.judge, minEffectMs: plan.minEffectMs ?? null, ...(plan.chat ? { chat: { ...plan.chat.settings, ...(plan.kind === 'ws-server' ? { wsPath: plan.chat.wsPath } : {}) } } : {}) };
    context.out.step(`canary:check --kind ${plan.kind}${plan.aa ? ' (A/A calibration)' : ''}`);
    context.out.info(`baseline: ${plan.compared.baseline}`);
    context.out.info(`canary:   ${plan.compared.canary}`);
    const hooks: KindHooks = { start: (options) => context.start(options), step: (text) => context.out.step(text), info: (text) => context.out.info(text), tailLines: context.tailLines };
    const evidence = await runKind(context, plan, hooks);
    if (shutdownSignal()) return; // interrupted: what the probes saw last was our own teardown, not worth judging
    const baselineCrash = evidence.crashes?.baseline;
    if (baselineCrash) {
      // Without a running baseline there is nothing to judge the canary against: an environment error, not a rollback.
      const why = `the baseline ${plan.kind === 'ws-server' ? 'service' : 'bot'} ${baselineCrash.detail}`;
      context.report.sections.canary = { decision: null, noDecision: `no decision: ${why}; a canary is judged only against a baseline that keeps running`, compared: plan.compared, gates: evidence.gates, probes: evidence.probes, samples: evidence.metrics, faults: evidence.faults, crashes: evidence.crashes };
      throw new HarnessError('CANARY_BASELINE_CRASHED', `no canary decision: ${why}`, { kind: 'environment', evidence: { crashes: evidence.crashes }, hint: `run the baseline command (--${plan.flagOf.baseline.split(' ')[0]}) by hand and fix what its log says; the canary was not judged` });
    }
    const floorMs = plan.minEffectMs;
    if (floorMs) for (const metric of evidence.metrics) if (metric.unit === 'ms') metric.minEffect = Math.max(metric.minEffect ?? 0, floorMs);
    const judgement = judgeCanary(evidence.gates, evidence.metrics, plan.judge);
    await recordJudgement(context.report, judgement, evidence, plan.compared);
    context.out.print(`\ncompared: baseline = ${plan.compared.baseline}\n          canary   = ${plan.compared.canary}\n${renderJudgementTable(judgement)}`);
  },
};
