/**
 * What `all` runs, in order, against the built-in fixtures. Adding a task to the release run is
 * one line here.
 */
export interface AllStep {
  task: string;
  args: readonly string[];
  /** When this step fails, the steps after it are not started (preflight: nothing else could run). */
  gate?: boolean;
}

export const ALL_STEPS: readonly AllStep[] = [
  { task: 'preflight', args: [], gate: true },
  // A release run on a busy machine: a model load may take longer than worker:test's 30 s default.
  { task: 'worker:test', args: ['--timeout', '120'] },
  { task: 'status-protocol:test', args: [] },
  { task: 'e2e', args: [] },
  // The built-in bot pair (identical but for nothing): promote expected; a hold (exit 4) is not a pass.
  { task: 'canary:check', args: ['--kind', 'ws-client'] },
];
