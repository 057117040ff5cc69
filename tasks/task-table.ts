import { ALL_STEPS } from './all/all-steps.ts';
import type { TaskTableRow } from './runner/task-definition.ts';

/**
 * Every task of the runner, in the order `help` lists them: one line per task, its module loaded
 * only when it runs (so `help` and each task start without the others' modules). The summary is
 * the task's own; test/cli-entry checks that each row says what its module declares.
 */
export const TASKS: readonly TaskTableRow[] = [
  { name: 'preflight', summary: 'check what the other tasks need: Node and tools, worker command, model file, ports, SQLite, disk space, GPU build', load: async () => (await import('./preflight/preflight-task.ts')).preflightTask },
  { name: 'worker:test', summary: 'start an LLM worker beside a mock hive; check health, heartbeats, ready and real inference', load: async () => (await import('./worker-test/worker-test-task.ts')).workerTestTask },
  { name: 'mock-hive', summary: 'run the mock hive by itself: print worker heartbeats, spawn workers on request, until Ctrl-C', load: async () => (await import('./mock-hive/mock-hive-task.ts')).mockHiveTask },
  { name: 'status-protocol:test', summary: 'test a WebSocket status stream: policy model-loading status (default) or training progress (--protocol training)', load: async () => (await import('./status-protocol-test/status-protocol-task.ts')).statusProtocolTask },
  { name: 'canary:check', summary: 'run the same probes on a baseline and a canary, interleaved, and decide promote / hold / rollback', load: async () => (await import('./canary-check/canary-task.ts')).canaryTask },
  { name: 'e2e', summary: 'keeper → hive → worker in 8 phases: registry, pool preflight, spawn, registration, ready, inference', load: async () => (await import('./e2e/e2e-task.ts')).e2eTask },
  { name: 'all', summary: `run ${ALL_STEPS.map((step) => step.task).join(', ')} against the built-in fixtures; one summary and report`, load: async () => (await import('./all/all-task.ts')).allTask },
  { name: 'features', summary: 'run the Cucumber release scenarios against the commands in your config (or the built-in fixtures); html, junit and message reports', load: async () => (await import('./features/features-task.ts')).featuresTask },
  { name: 'init', summary: 'write a commented starter config (hivecheck.config.mjs, or --format json) into this folder', load: async () => (await import('./init/init-task.ts')).initTask },
  { name: 'engine:install', summary: "install the built-in worker's inference engine (node-llama-cpp, CPU build; --gpu for CUDA/Vulkan), with progress", load: async () => (await import('./engine-install/engine-install-task.ts')).engineInstallTask },
  { name: 'fleet', summary: 'run a check task on many nodes through Slurm (one srun task per node), merge their reports, one verdict', load: async () => (await import('./fleet/fleet-task.ts')).fleetTask },
  { name: 'merge-reports', summary: 'merge the reports of runs made elsewhere (nodes, CI shards, Cucumber shards) into one report, junit and report.html', load: async () => (await import('./merge-reports/merge-reports-task.ts')).mergeReportsTask },
  { name: 'cleanup', summary: 'kill processes left by a harness run that died without teardown (kill -9, OOM), from its run record', load: async () => (await import('./cleanup/cleanup-task.ts')).cleanupTask },
];
