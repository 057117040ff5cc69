import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { isPidAlive } from '../../../tasks/lib/process/process-groups.ts';
import { runStatusTask, type StatusTaskRun } from '../run-status-task.ts';

export interface TrainingTaskRun extends StatusTaskRun {
  /** The trainer child processes the reference server started (from its log). */
  trainerPids: number[];
}

/** `status-protocol:test --protocol training <args>`, in-process through the real runner. */
export async function runTrainingTask(args: readonly string[]): Promise<TrainingTaskRun> {
  const run = await runStatusTask(['--protocol', 'training', ...args]);
  let log = '';
  try {
    log = readFileSync(join(run.reportDir, 'logs', 'training-server.log'), 'utf8');
  } catch {
    // no server was started (usage error, --url)
  }
  const trainerPids = [...log.matchAll(/"event":"trainer-started".*?"pid":(\d+)/g)].map((match) => Number(match[1]));
  return { ...run, trainerPids };
}

/** Neither the server nor its trainer is alive after the run. */
export function expectNothingLeft(run: TrainingTaskRun): void {
  expect(run.pids.length, 'no server pid in the output').toBeGreaterThan(0);
  expect(run.trainerPids.length, 'no trainer pid in the server log').toBeGreaterThan(0);
  for (const pid of [...run.pids, ...run.trainerPids]) expect(isPidAlive(pid), `pid ${pid} still alive`).toBe(false);
}

export const TRAINING_ALL_PASS = {
  'unknown job': 'pass',
  'clients connect': 'pass',
  'client disconnect': 'pass',
  'connection cap': 'pass',
  'stream stall': 'pass',
  'message schema': 'pass',
  'update interval': 'pass',
  'end-to-end latency': 'pass',
  'identical sequences': 'pass',
  'final message and close': 'pass',
  'job outcome': 'pass',
  'REST fallback': 'pass',
};
