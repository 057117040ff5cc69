import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { v4 as uuidv4 } from 'uuid';
import { HarnessError } from '../errors/harness-error.ts';
import { processStartTime } from '../process/group-sweep.mjs';

/** The file a run holds in its `--report` folder while it writes there. */
export const REPORT_LOCK_FILE = '.hivecheck-run.lock';

interface LockOwner {
  pid: number;
  /** Clock ticks since boot (from /proc): a recycled pid does not match. */
  startTime: string | undefined;
  runId: string;
  task: string;
  at: string;
}

function readOwner(path: string): LockOwner | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockOwner;
  } catch {
    return undefined; // gone, or half-written by a run that died writing it
  }
}

/** The owner still runs: its pid is alive with the start time it recorded (a recycled pid is not it). */
function alive(owner: LockOwner): boolean {
  if (!Number.isInteger(owner.pid) || owner.pid <= 0) return false;
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const now = processStartTime(owner.pid);
  return owner.startTime === undefined || now === undefined || now === owner.startTime;
}

/** A held `--report` folder; `release()` removes the lock if it is still this run's. */
export interface ReportDirLock {
  path: string;
  release(): void;
}

/**
 * Claims a `--report` folder for one run: two runs writing report.json and logs/ into one folder
 * give a report of one run and logs mixing both. The claim is a lock file created exclusively;
 * one left by a run that no longer runs (SIGKILL) is taken over. A folder a live run holds is
 * refused with REPORT_DIR_IN_USE (exit 3), before anything is written into it.
 */
export function lockReportDir(dir: string, task: string): ReportDirLock {
  const path = join(dir, REPORT_LOCK_FILE);
  const me: LockOwner = { pid: process.pid, startTime: processStartTime(process.pid), runId: uuidv4(), task, at: new Date().toISOString() };
  try {
    mkdirSync(dir, { recursive: true });
  } catch {
    // the run's own directory check names an unwritable folder
    return { path, release: () => undefined };
  }
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      writeFileSync(path, `${JSON.stringify(me)}\n`, { flag: 'wx' });
      return {
        path,
        release: () => {
          if (readOwner(path)?.runId !== me.runId) return;
          try {
            unlinkSync(path);
          } catch {
            // already gone
          }
        },
      };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') return { path, release: () => undefined }; // unwritable: named by the directory check
    }
    const owner = readOwner(path);
    if (owner && alive(owner)) {
      throw new HarnessError('REPORT_DIR_IN_USE', `--report ${dir} is being written by another run (${owner.task}, pid ${owner.pid}, started ${owner.at}): two runs in one folder would leave one run's report.json and logs mixing both`, {
        kind: 'environment',
        evidence: { lock: path, owner },
        hint: 'give each run its own --report folder (e.g. --report out/$CI_JOB_ID), or wait for that run to end',
      });
    }
    try {
      unlinkSync(path); // left by a run that no longer runs
    } catch {
      // another run took it over first: try again
    }
  }
  throw new HarnessError('REPORT_DIR_IN_USE', `--report ${dir}: could not claim the folder (${path} keeps changing hands)`, { kind: 'environment', evidence: { lock: path }, hint: 'give each run its own --report folder' });
}
