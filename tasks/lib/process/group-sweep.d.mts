/** Types for group-sweep.mjs (plain JavaScript so the watchdog runs on bare `node`). */

export interface RecordOwner {
  op: 'owner';
  pid: number;
  startTime: string;
  runId: string;
  argv: string[];
  at: string;
}

export interface RecordedGroup {
  op: 'start';
  pgid: number;
  startTime: string;
  /** sha256 of the command line (argv joined by spaces), for matching. */
  commandDigest: string;
  /** The command, redacted, for messages. */
  command: string;
  name: string;
  runId: string;
  at: string;
}

export interface GroupOutcome {
  group: RecordedGroup;
  action: 'gone' | 'kill' | 'recycled';
  reason?: string;
  members?: number[];
  signal?: 'SIGTERM' | 'SIGKILL';
  survivors?: number[];
}

export interface SweepResult {
  path: string;
  owner: RecordOwner | undefined;
  outcomes: GroupOutcome[];
}

export interface SweepOptions {
  graceMs?: number;
  except?: string;
}

export function stateDir(env?: Record<string, string | undefined>): string;
export function processStartTime(pid: number): string | undefined;
export function processCommandLine(pid: number): string | undefined;
export function processSession(pid: number): number | undefined;
export function commandDigest(commandLine: string): string;
export function groupMembers(pgid: number): { pid: number; startTime: string }[];
export function ownerAlive(owner: RecordOwner | undefined): boolean;
export function readRecord(path: string): { owner: RecordOwner | undefined; groups: RecordedGroup[] } | undefined;
export function judgeGroup(group: RecordedGroup): Pick<GroupOutcome, 'action' | 'reason' | 'members'>;
export function sweepGroups(groups: readonly RecordedGroup[], options?: SweepOptions): Promise<GroupOutcome[]>;
export function sweepRecordFile(path: string, options?: SweepOptions): Promise<SweepResult | undefined>;
export function sweepStaleRecords(dir?: string, options?: SweepOptions): Promise<SweepResult[]>;
