import { fillTemplate } from '../../cli/command-template.ts';
import type { GuardOptions, ProcessGuard } from '../../process/process-guard.ts';
import { waitForEvent } from '../../wait-strategies/wait-for.ts';
import type { Role } from '../probe-outcome.ts';
import type { ChatSubject } from './chat-waits.ts';

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
  subject.guard = await launch.start({ name: `${launch.role}-${subject.noun}`, command, args, ...(launch.cwd ? { cwd: launch.cwd } : {}), graceMs: 10_000 });
  afterSpawn?.();
  await waitForEvent(
    () => (subject.chat.current() ? { ready: true, value: true } : { ready: false, observed: `no connection yet (${subject.proxy.counts().accepted} TCP connections at the proxy)` }),
    (onChange) => subject.chat.subscribe(onChange),
    { description: what, timeoutMs: launch.connectTimeoutMs, failFastOn: [subject.guard], tailLines: launch.tailLines },
  );
  subject.connectMs = performance.now() - started;
}
