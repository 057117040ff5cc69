import { cleanupTask } from './cleanup/cleanup-task.ts';
import { mockHiveTask } from './mock-hive/mock-hive-task.ts';
import type { TaskDefinition } from './runner/task-definition.ts';
import { statusProtocolTask } from './status-protocol-test/status-protocol-task.ts';
import { workerTestTask } from './worker-test/worker-test-task.ts';

/** Every task of the runner, in the order `help` lists them. */
export const TASKS: readonly TaskDefinition[] = [workerTestTask, mockHiveTask, statusProtocolTask, cleanupTask];
