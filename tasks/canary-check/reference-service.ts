import { fileURLToPath } from 'node:url';
import { nodeProgram } from '../lib/process/node-program.ts';
import { chatKnobArgs, chatKnobWords, sharedCanaryKnobs, type ChatKnobs } from './reference-knobs.ts';

export const SERVICE_ENTRY = fileURLToPath(new URL('../../fixtures/ws-service/main.ts', import.meta.url));

export interface ServiceKnobs extends ChatKnobs {
  /** Fault: drop the first message after this much quiet (s); 0 off. */
  dropAfterIdle: number;
  /** Fault: refuse new connections this long after a client was lost without a close (s); 0 off. */
  sessionLock: number;
  faults?: ReadonlyArray<'close-blocks' | 'lose-on-close' | 'max-age-abrupt'>;
  /** `exit`: exits at once on SIGTERM, no close handshake (as many services do). */
  onSigterm?: 'close' | 'exit';
  /** Accepts permessage-deflate when offered (as Python's websockets does). */
  deflate?: boolean;
}

/** The reference service as an argv template (`{port}`, `{name}` are filled per side). */
export function referenceServiceArgv(knobs: ServiceKnobs): string[] {
  return [
    ...nodeProgram('ws-service'), '--port', '{port}', '--name', '{name}', ...chatKnobArgs(knobs),
    ...(knobs.dropAfterIdle ? ['--drop-after-idle', String(knobs.dropAfterIdle)] : []),
    ...(knobs.sessionLock ? ['--session-lock', String(knobs.sessionLock)] : []),
    ...(knobs.onSigterm ? ['--on-sigterm', knobs.onSigterm] : []),
    ...(knobs.deflate ? ['--deflate', 'on'] : []),
    ...(knobs.faults ?? []).flatMap((fault) => ['--fault', fault]),
  ];
}

/**
 * The built-in canary service: the baseline's knobs with one regression. `idleS` and
 * `reconnectWithinS` size the faults that need a time: drop after half the idle, lock sessions
 * for longer than the reset probe waits.
 */
export function canaryServiceKnobs(baseline: ServiceKnobs, fault: string | undefined, times: { idleS: number; reconnectWithinS: number }): ServiceKnobs {
  const shared = sharedCanaryKnobs(baseline, fault);
  if (shared) return shared;
  switch (fault) {
    case 'drop-after-idle':
      return { ...baseline, dropAfterIdle: times.idleS / 2 };
    case 'session-lock':
      return { ...baseline, sessionLock: Math.ceil(2 * times.reconnectWithinS + 1) };
    case 'close-blocks':
    case 'lose-on-close':
    case 'max-age-abrupt':
      return { ...baseline, faults: [fault] };
    default:
      throw new Error(`no such service fault: ${fault}`);
  }
}

export function describeService(knobs: ServiceKnobs): string {
  const words = chatKnobWords(knobs);
  const changes = [
    words.keepalive, words.maxAge, words.close, words.reply,
    ...(knobs.dropAfterIdle ? [`drops the first message after ${knobs.dropAfterIdle} s quiet`] : []),
    ...(knobs.sessionLock ? [`locks lost sessions for ${knobs.sessionLock} s`] : []),
    ...(knobs.faults ?? []).map((fault) => `fault ${fault}`),
  ];
  return `reference chat service (${changes.join(', ')})`;
}
