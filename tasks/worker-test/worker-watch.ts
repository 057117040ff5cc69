import type { HarnessError } from '../lib/errors/harness-error.ts';
import { exitWords, watchExit } from '../lib/process/exit-watch.ts';
import type { CheckOutcome } from '../lib/report/run-report.ts';
import type { TaskContext } from '../runner/task-context.ts';
import type { WorkerUnderTest } from './worker-under-test.ts';

/** True when an error says the connection went away (reset, refused), not that the worker answered badly. */
function connectionLost(error: HarnessError): boolean {
  const evidence = error.evidence as { kind?: unknown; failure?: { kind?: unknown } };
  const kind = evidence.kind ?? evidence.failure?.kind;
  return kind === 'reset' || kind === 'refused' || kind === 'error';
}

/**
 * Runs one check of a worker while watching the worker: if it exits during the check, the check
 * ends at once as PROCESS_EXITED with its exit status and log tail (its open request aborted),
 * and a connection lost just before an exit is put down to that exit. Once the worker has
 * exited, the remaining checks are skipped with that reason instead of each failing on its own.
 */
export async function workerCheck(context: TaskContext, worker: WorkerUnderTest, name: string, what: string, body: (signal: AbortSignal) => Promise<CheckOutcome>): Promise<boolean> {
  const { guard } = worker;
  if (!guard.running) {
    context.report.skip(`${worker.label}${name}`, `the worker had exited (${exitWords(guard)})`);
    return false;
  }
  return await context.report.check(`${worker.label}${name}`, () => watchExit(guard, what, body, { connectionLost }));
}
