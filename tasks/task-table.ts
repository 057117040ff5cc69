import { canaryTask } from './canary-check/canary-task.ts';
import { e2eTask } from './e2e/e2e-task.ts';
import { allTask } from './all/all-task.ts';
import { preflightTask } from './preflight/preflight-task.ts';
import { cleanupTask } from './cleanup/cleanup-task.ts';
import { mockHiveTask } from './mock-hive/mock-hive-task.ts';
import type { TaskDefinition } from './runner/task-definition.ts';
import { statusProtocolTask } from './status-protocol-test/status-protocol-task.ts';
import { workerTestTask } from './worker-test/worker-test-task.ts';

/** Every task of the runner, in the order `help` lists them. */
export const TASKS: readonly TaskDefinition[] = [preflightTask, workerTestTask, mockHiveTask, statusProtocolTask, canaryTask, e2eTask, allTask, cleanupTask];
