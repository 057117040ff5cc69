// Plain JavaScript on purpose: the watchdog (watchdog.mjs) imports this and must start with bare
// `node`, without a TypeScript loader, so its start costs the harness nothing. Types: group-sweep.d.mts.
//
// A run's record file (`<state dir>/<owner pid>-<owner start time>.jsonl`) lists every process
// group the harness started: one `start` line per group (pgid, start time, command line, run id),
// one `end` line when the guard saw the whole group gone. The command line is stored as a digest
// (matching) and redacted (display). Sweeping a record kills the groups that
// were started and never ended, but only where the process is provably the one that was recorded:
// same pid AND same start time (clock ticks since boot, from /proc) AND the same command line (or,
// for a program that exec'd another, still the leader of the session the harness created). A pid
// the kernel recycled for an unrelated process fails that test and is left alone.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, renameSync, unlinkSync, mkdirSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

const POLL_MS = 10;

/** Where run records live: `$HIVECHECK_STATE_DIR`, else `<tmp>/hivecheck-<uid>/groups`. */
export function stateDir(env = process.env) {
  if (env.HIVECHECK_STATE_DIR) return env.HIVECHECK_STATE_DIR;
  let user = 'user';
  try {
    user = String(userInfo().uid);
  } catch {
    // no passwd entry: one directory for everyone
  }
  return join(tmpdir(), `hivecheck-${user}`, 'groups');
}

function statFields(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // fields after "(comm) ": state is field 3 of the full line, starttime field 22
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** The process's start time in clock ticks since boot (`/proc/<pid>/stat` field 22), or undefined. */
export function processStartTime(pid) {
  const fields = statFields(pid);
  if (!fields || fields[0] === 'Z' || fields[0] === 'X') return undefined;
  return fields[19];
}

/** The session id of the process (`/proc/<pid>/stat` field 6), or undefined. */
export function processSession(pid) {
  const fields = statFields(pid);
  return fields ? Number(fields[3]) : undefined;
}

/** The process's command line (argv joined by spaces), or undefined when it is gone. */
export function processCommandLine(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  } catch {
    return undefined;
  }
}

/**
 * A digest of the command line: what a record stores and compares, so the record file never holds
 * a token that was passed on a command line.
 */
export function commandDigest(commandLine) {
  return createHash('sha256').update(commandLine).digest('hex');
}

/** Running (non-zombie) members of a process group, with their start times. */
export function groupMembers(pgid) {
  const members = [];
  let entries;
  try {
    entries = readdirSync('/proc');
  } catch {
    return members;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(entry);
    if (!fields || fields[0] === 'Z' || fields[0] === 'X' || Number(fields[2]) !== pgid) continue;
    members.push({ pid: Number(entry), startTime: fields[19] });
  }
  return members;
}

/** True while the record's owner (the harness process that wrote it) is still the same running process. */
export function ownerAlive(owner) {
  return owner !== undefined && processStartTime(owner.pid) === owner.startTime;
}

/** Parses a record file: its owner line and the groups started but not ended. */
export function readRecord(path) {
  let text;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  let owner;
  const open = new Map();
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let entry;
    try {
      entry = JSON.parse(line);
    } catch {
      continue; // a line cut short by a kill mid-write
    }
    if (entry.op === 'owner') owner = entry;
    else if (entry.op === 'start') open.set(entry.pgid, entry);
    else if (entry.op === 'end') open.delete(entry.pgid);
  }
  return { owner, groups: [...open.values()] };
}

/**
 * Decides what to do with one recorded group, without touching it:
 * `gone` (nothing of it runs), `kill` (provably the recorded group), or `recycled` (the pid now
 * belongs to another process: leave it).
 */
export function judgeGroup(group) {
  const leaderStart = processStartTime(group.pgid);
  if (leaderStart !== undefined) {
    if (leaderStart !== group.startTime) return { action: 'recycled', reason: `pid ${group.pgid} now has start time ${leaderStart}, recorded ${group.startTime}` };
    // The command line changes when the process exec's another program (a pyenv shim exec's
    // python, `sh -c 'exec …'`). Pid, start time and session are kept across exec: a process
    // with the recorded pid and start tick that still leads the session our spawn created for it
    // is the recorded one; anything else with a new command line is not touched.
    const commandLine = processCommandLine(group.pgid);
    const sameCommand = commandLine !== undefined && commandDigest(commandLine) === group.commandDigest;
    if (!sameCommand && processSession(group.pgid) !== group.pgid) return { action: 'recycled', reason: `pid ${group.pgid} now runs another command than the recorded "${group.command}" and leads no session of its own` };
    return { action: 'kill', members: groupMembers(group.pgid).map((member) => member.pid) };
  }
  // The leader is gone but children may still hold the group. While any process is in a group the
  // kernel cannot hand its id to a new process, so the members are the recorded group's own
  // descendants; the start-time test below is a second guard against a reused id.
  const members = groupMembers(group.pgid).filter((member) => Number(member.startTime) >= Number(group.startTime));
  if (members.length === 0) return { action: 'gone' };
  return { action: 'kill', members: members.map((member) => member.pid) };
}

function signalGroup(pgid, signal) {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

async function until(condition, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return true;
}

/**
 * Kills the open groups of one record: SIGTERM to every provable group at once, up to `graceMs`,
 * then SIGKILL. Returns one outcome per group.
 */
export async function sweepGroups(groups, { graceMs = 1000 } = {}) {
  const outcomes = groups.map((group) => ({ group, ...judgeGroup(group) }));
  const targets = outcomes.filter((outcome) => outcome.action === 'kill');
  for (const target of targets) {
    signalGroup(target.group.pgid, 'SIGTERM');
    signalGroup(target.group.pgid, 'SIGCONT'); // a stopped member acts on SIGTERM only once it runs
  }
  const allGone = () => targets.every((target) => groupMembers(target.group.pgid).length === 0);
  if (!(await until(allGone, graceMs))) {
    for (const target of targets) {
      if (groupMembers(target.group.pgid).length > 0) {
        signalGroup(target.group.pgid, 'SIGKILL');
        target.signal = 'SIGKILL';
      }
    }
    await until(allGone, 2000);
  }
  for (const target of targets) {
    target.signal ??= 'SIGTERM';
    target.survivors = groupMembers(target.group.pgid).map((member) => member.pid);
  }
  return outcomes;
}

/**
 * Sweeps one record file if nobody else is: the file is first renamed (atomic), so two sweepers
 * (the watchdog and `cleanup`, or two runs) never both act on it. Removes it when done.
 */
export async function sweepRecordFile(path, options = {}) {
  const claimed = `${path}.sweeping-${process.pid}`;
  try {
    renameSync(path, claimed);
  } catch {
    return undefined; // swept by someone else, or removed by its owner
  }
  const record = readRecord(claimed);
  const outcomes = record ? await sweepGroups(record.groups, options) : [];
  try {
    unlinkSync(claimed);
  } catch {
    // already gone
  }
  return { path, owner: record?.owner, outcomes };
}

/** Sweeps every record in `dir` whose owner is no longer running (skipping `except`, the caller's own). */
export async function sweepStaleRecords(dir = stateDir(), options = {}) {
  let names;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const swept = [];
  for (const name of names) {
    if (!name.endsWith('.jsonl')) continue;
    const path = join(dir, name);
    if (path === options.except) continue;
    const record = readRecord(path);
    if (!record || ownerAlive(record.owner)) continue;
    const result = await sweepRecordFile(path, options);
    if (result) swept.push(result);
  }
  return swept;
}
