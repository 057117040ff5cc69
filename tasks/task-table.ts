import type { TaskTableRow } from './runner/task-definition.ts';

/** Every task of the runner, in the order `help` lists them: one line per task, its module loaded only when it runs. */
export const TASKS: readonly TaskTableRow[] = [
  { name: 'worker:test', summary: 'start an LLM worker beside a mock hive; check health, heartbeats, ready and real inference', load: async () => (await import('./worker-test/worker-test-task.ts')).workerTestTask },
  { name: 'mock-hive', summary: 'run the mock hive by itself and print worker heartbeats until Ctrl-C', load: async () => (await import('./mock-hive/mock-hive-task.ts')).mockHiveTask },
  { name: 'status-protocol:test', summary: 'test a policy server that streams model-loading status over WebSocket', load: async () => (await import('./status-protocol-test/status-protocol-task.ts')).statusProtocolTask },
];
