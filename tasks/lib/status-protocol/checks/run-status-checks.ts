import type { RunReport } from '../../report/run-report.ts';
import type { StatusCheck, StatusCheckState } from './check-state.ts';
import { coldStart } from './cold-start.ts';
import { concurrentClients } from './concurrent-clients.ts';
import { crashDuringLoad } from './crash-during-load.ts';
import { inferenceAfterReady } from './inference-after-ready.ts';
import { inferenceError } from './inference-error.ts';
import { modelListing } from './model-listing.ts';
import { secondModel } from './second-model.ts';
import { unknownModel } from './unknown-model.ts';
import { warmConnection } from './warm-connection.ts';

/**
 * The checks of `status-protocol:test`, in the order they run (another model after the checks that
 * use the first model's sessions: it may end them; crash last: it stops the server).
 */
export const STATUS_CHECKS: readonly StatusCheck[] = [modelListing, coldStart, inferenceAfterReady, warmConnection, concurrentClients, unknownModel, inferenceError, secondModel, crashDuringLoad];

/** Runs one check into the report: a skip when it cannot run, else one timed `report.check`. */
export async function runStatusCheck<S>(report: RunReport, state: S, check: StatusCheck<S>): Promise<boolean> {
  const skip = await check.skipReason?.(state);
  if (skip) {
    report.skip(check.name, skip);
    return true;
  }
  let prepareError: unknown;
  if (check.prepare) {
    try {
      const reason = await check.prepare(state);
      if (reason) {
        report.skip(check.name, reason);
        return true;
      }
    } catch (error) {
      prepareError = error;
    }
  }
  return await report.check(check.name, async () => {
    if (prepareError !== undefined) throw prepareError;
    return await check.run(state);
  });
}

/** Runs the checks in order; after an interrupt (the abort signal) none starts, not even its setup. */
export async function runStatusChecks<S extends { target: { signal?: AbortSignal | undefined } } = StatusCheckState>(report: RunReport, state: S, checks: readonly StatusCheck<S>[] = STATUS_CHECKS as unknown as readonly StatusCheck<S>[]): Promise<void> {
  for (const check of checks) {
    if (state.target.signal?.aborted) return;
    await runStatusCheck(report, state, check);
  }
}
