import type { Heartbeat } from '../../../mock-hive/heartbeat.ts';
import type { MockHive } from '../../../mock-hive/mock-hive-server.ts';
import type { ExitWatch } from '../wait-strategies/wait-scope.ts';
import { waitForEvent } from '../wait-strategies/wait-for.ts';

export interface HeartbeatWait {
  workerId: string;
  /** How many heartbeats (in `state`, when given) to wait for. Default 1. */
  count?: number;
  state?: string;
  timeoutMs?: number;
  /** The worker's guard: its exit ends the wait at once, with its log tail. */
  failFastOn?: ExitWatch;
}

/** Waits, event-driven, until the hive has received `count` heartbeats from the worker; returns them. */
export async function waitForHeartbeats(hive: MockHive, wait: HeartbeatWait): Promise<Heartbeat[]> {
  const count = wait.count ?? 1;
  const matching = (): Heartbeat[] => hive.log.heartbeats(wait.workerId).filter((beat) => wait.state === undefined || beat.state === wait.state);
  const outcome = await waitForEvent<Heartbeat[]>(
    () => {
      const beats = matching();
      return beats.length >= count ? { ready: true as const, value: beats } : { ready: false as const, observed: `${beats.length} of ${count} heartbeats${wait.state ? ` in state ${wait.state}` : ''} (states so far: ${hive.log.transitions(wait.workerId).join(' → ') || 'none'})` };
    },
    (onChange) => hive.log.subscribe(onChange),
    { description: `${count} heartbeat(s)${wait.state ? ` in state ${wait.state}` : ''} from ${wait.workerId}`, timeoutMs: wait.timeoutMs ?? 30_000, failFastOn: wait.failFastOn ? [wait.failFastOn] : [] },
  );
  return outcome.value;
}
