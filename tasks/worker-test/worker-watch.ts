import { HarnessError, toHarnessError } from '../lib/errors/harness-error.ts';
import { exitWords, watchExit } from '../lib/process/exit-watch.ts';
import type { CheckOutcome } from '../lib/report/run-report.ts';
import type { TaskContext } from '../runner/task-context.ts';
import type { CheckedWorker } from './worker-under-test.ts';
import { diagnoseHang } from './worker-hang.ts';

/** True when an error says the connection went away (reset, refused), not that the worker answered badly. */
function connectionLost(error: HarnessError): boolean {
  const evidence = error.evidence as { kind?: unknown; failure?: { kind?: unknown } };
  const kind = evidence.kind ?? evidence.failure?.kind;
  return kind === 'reset' || kind === 'refused' || kind === 'error';
}

/** True when an error says a request or wait ran out of time (the worker may be hung, or only slow). */
function timedOut(error: HarnessError): boolean {
  const evidence = error.evidence as { kind?: unknown; failure?: { kind?: unknown } };
  return error.code === 'WAIT_TIMEOUT' || (evidence.kind ?? evidence.failure?.kind) === 'timeout';
}

/**
 * Runs one check of a worker while watching the worker: if it exits during the check, the check
 * ends at once as PROCESS_EXITED with its exit status and log tail (its open request aborted),
 * and a connection lost just before an exit is put down to that exit. Once the worker has
 * exited, the remaining checks are skipped with that reason instead of each failing on its own.
 * A check that times out asks whether the worker is hung (a stopped process, or no answer to a
 * bare health request); if it is, the check says so and the remaining checks are skipped with
 * that reason instead of each waiting out its own timeout.
 */
export async function workerCheck(context: TaskContext, worker: CheckedWorker, name: string, what: string, body: (signal: AbortSignal) => Promise<CheckOutcome>): Promise<boolean> {
  const { guard } = worker;
  if (!guard.running) {
    context.report.skip(`${worker.label}${name}`, `the worker had exited (${exitWords(guard)})`);
    return false;
  }
  if (worker.hung) {
    context.report.skip(`${worker.label}${name}`, worker.hung.reason);
    return false;
  }
  return await context.report.check(`${worker.label}${name}`, async () => {
    try {
      return await watchExit(guard, what, body, { connectionLost });
    } catch (thrown) {
      const error = toHarnessError(thrown);
      if (error.code === 'PROCESS_EXITED' || !timedOut(error) || !guard.running) throw error;
      const hang = await diagnoseHang(worker, error);
      if (!hang || !guard.running) throw error;
      worker.hung = hang;
      throw new HarnessError(error.code, `${error.message}: ${hang.reason}`, {
        evidence: { ...error.evidence, hang: hang.evidence },
        hint: hang.reason.startsWith('the worker is stopped')
          ? 'find what stopped it (kill -STOP, Ctrl-Z in its terminal, a debugger, a frozen cgroup) and let it run; the harness skips the checks that follow instead of waiting out each timeout'
          : 'the worker stopped answering even its health route: look for a deadlock or a blocked event loop in its log; the harness skips the checks that follow instead of waiting out each timeout',
        cause: error,
      });
    }
  });
}
