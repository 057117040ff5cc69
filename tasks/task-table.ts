import type { TaskDefinition } from './runner/task-definition.ts';

/** Every task of the runner, in the order `help` lists them. */
export const TASKS: readonly TaskDefinition[] = [];
