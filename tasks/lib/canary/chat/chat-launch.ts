import { fillTemplate } from '../../cli/command-template.ts';
import type { GuardOptions, ProcessGuard } from '../../process/process-guard.ts';
import { waitForEvent } from '../../wait-strategies/wait-for.ts';
import type { Role } from '../probe-outcome.ts';
import { currentTimeline } from '../../report/timeline.ts';
import { formatDuration } from '../../time/format-duration.ts';
import { stoppedByHarness, type ChatSubject } from './chat-waits.ts';

/** How to start one side's subject process. */
export interface ChatLaunch {
  role: Role;
  /** argv template; the kind fills its placeholders. */
  argv: readonly string[];
  flag: string;
  start: (options: GuardOptions) => Promise<ProcessGuard>;
  connectTimeoutMs: number;
  tailLines?: number;
  cwd?: string;
}

/**
 * Starts the subject under a guard with the placeholders filled, then waits until the harness's
 * chat end has an open connection (fails at once if the process exits). Sets `connectMs` and the guard.
 */
export async function launchSubject(subject: ChatSubject, launch: ChatLaunch, values: Readonly<Record<string, string | number>>, what: string, afterSpawn?: () => void): Promise<void> {
  const argv = fillTemplate(launch.argv, values, launch.flag);
  const [command, ...args] = argv as [string, ...string[]];
  const started = performance.now();
  const guard = await launch.start({ name: `${launch.role}-${subject.noun}`, command, args, ...(launch.cwd ? { cwd: launch.cwd } : {}), graceMs: 10_000 });
  subject.guard = guard;
  watchForCrash(subject, guard);
  afterSpawn?.();
  // A connection opened by this process: after a restart the old one may not have closed yet.
  const fresh = (): boolean => subject.chat.connections.some((connection) => connection.openedMs >= started && connection.closedMs === undefined);
  await waitForEvent(
    () => (fresh() ? { ready: true, value: true } : { ready: false, observed: `no connection yet (${subject.proxy.counts().accepted} TCP connections at the proxy)` }),
    (onChange) => subject.chat.subscribe(onChange),
    { description: what, timeoutMs: launch.connectTimeoutMs, failFastOn: [subject.guard], tailLines: launch.tailLines },
  );
  subject.connectMs = performance.now() - started;
}

/** Records an exit the harness did not ask for as the subject's crash (code or signal, when, last log line). */
function watchForCrash(subject: ChatSubject, guard: ProcessGuard): void {
  const timeline = currentTimeline();
  void guard.settled.then((info) => {
    if (stoppedByHarness(guard) || subject.crash) return;
    const lastLine = guard.tail(5).filter((line) => line.trim() !== '').at(-1)?.trim().slice(0, 200) ?? '(it printed nothing)';
    const atMs = timeline.at(performance.now());
    const how = info.signal ? `was killed by ${info.signal}` : `exited with code ${info.code}`;
    subject.crash = { code: info.code, signal: info.signal, atMs, uptimeMs: guard.uptimeMs, lastLine, detail: `${how} at ${formatDuration(atMs)} into the run (after ${formatDuration(guard.uptimeMs)} running); last log line: ${JSON.stringify(lastLine)}` };
    subject.chat.note(`${subject.noun} ${how}`, 'warn');
  });
}
