import type { TaskDefinition } from '../runner/task-definition.ts';
import { checkModel, checkPorts } from './preflight.ts';
import { runBackend } from './run-backend.ts';
import { runRemote } from './remote-worker.ts';
import { WORKER_TEST_FLAGS } from './worker-test-flags.ts';
import { planWorkerTest } from './worker-test-plan.ts';


export const workerTestTask: TaskDefinition = {
  name: 'worker:test',
  summary: 'start an LLM worker beside a mock hive; check health, heartbeats, ready and real inference',
  description: [
    'Checks the model file, starts a mock hive and the worker (the built-in reference worker on a',
    'generated tiny llama model unless --worker-bin/--worker-cmd name yours) under a guard, then checks:',
    'health (fails fast if the worker exits), heartbeats at the hive (count, worker id, Loading → Ready,',
    'interval), ready, inference (JSON and SSE, real tokens), and that teardown leaves no process behind.',
    'Placeholders for --worker-cmd and profile args: {workerId} {model} {modelRef} {backend} {device}',
    '{port} {hivePort} {hiveUrl} {heartbeatInterval} {threads} {contextSize} {apiKey} {hiveToken}. {port} is required (the harness',
    'probes the port it gives the worker), {model} expected when --model is given. Relative paths resolve from',
    'the directory you ran the command in; a bare program name must be on PATH.',
    'Remote: --url http://host:port tests a worker the harness did not start (crash, hang and teardown',
    'checks are skipped); --hive-bind <address> publishes the mock hive there for its heartbeats, and',
    'the hive then accepts only requests with the per-run token it prints once ({hiveToken}).',
  ].join('\n'),
  flags: WORKER_TEST_FLAGS,
  examples: [
    'npm run task -- worker:test',
    'npm run task -- worker:test --profile v1 --bench',
    'npm run task -- worker:test --worker-bin ./target/release/llm-worker --model ./models/tinyllama.gguf --heartbeat-interval 30',
    'npm run task -- worker:test --profile llama-server --model ./models/x.gguf --worker-cmd "llama-server -m {model} --host 127.0.0.1 --port {port} -t 1"',
    'HIVECHECK_API_KEY=sekrit npm run task -- worker:test --profile llama-server --worker-cmd "llama-server -m {model} --port {port} --api-key {apiKey}"',
    'npm run task -- worker:test --backend cpu,cuda --workers 4 --report out/',
    'npm run task -- worker:test --url http://127.0.0.1:18081 --hive-bind 127.0.0.2 --hive-port 19200 --worker-id w-1',
  ],
  async run(context, flags) {
    const plan = planWorkerTest(flags, context.cwd);
    for (const warning of plan.warnings) context.out.warn(warning);
    context.report.settings = {
      profile: plan.profile.name,
      launch: plan.launch.kind,
      workerIds: plan.workerIds,
      backends: plan.backends,
      heartbeatIntervalMs: plan.heartbeatIntervalMs,
      timeoutMs: plan.timeoutMs,
      maxTokens: plan.maxTokens,
      ...(plan.warnings.length ? { warnings: plan.warnings } : {}),
      ...(Object.keys(plan.headers).length ? { headers: Object.keys(plan.headers) } : {}),
    };
    if (plan.url !== undefined) {
      context.report.settings = { ...context.report.settings, url: plan.url, ...(plan.hiveBind ? { hiveBind: plan.hiveBind } : {}) };
      await runRemote(context, plan, plan.url);
      return;
    }
    context.out.step('Preflight');
    const model = await checkModel(context, plan);
    if (!model || !(await checkPorts(context, plan))) return;
    for (const backend of plan.backends) await runBackend(context, plan, model, backend);
  },
};
