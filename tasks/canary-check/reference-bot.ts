import { fileURLToPath } from 'node:url';

export const BOT_ENTRY = fileURLToPath(new URL('../../fixtures/ws-bot/main.ts', import.meta.url));

export interface BotKnobs {
  pingInterval: number;
  pongTimeout: number;
  maxAge: number;
  reconnect: boolean;
  closeTimeout: number;
  replyDelayMs: number;
  replyJitterMs: number;
  faults?: ReadonlyArray<'close-blocks' | 'lose-buffered'>;
}

/** The reference bot as an argv template (`{url}`, `{name}` are filled per side). */
export function referenceBotArgv(knobs: BotKnobs): string[] {
  return [
    process.execPath, '--import', import.meta.resolve('tsx'), BOT_ENTRY, '--url', '{url}', '--name', '{name}',
    '--ping-interval', String(knobs.pingInterval), '--pong-timeout', String(knobs.pongTimeout), '--max-age', String(knobs.maxAge),
    '--reconnect', knobs.reconnect ? 'on' : 'off', '--close-timeout', String(knobs.closeTimeout),
    '--reply-delay', String(knobs.replyDelayMs), '--reply-jitter', String(knobs.replyJitterMs),
    ...(knobs.faults ?? []).flatMap((fault) => ['--fault', fault]),
  ];
}

/** The built-in canary bot: the baseline's knobs with one regression. */
export function canaryBotKnobs(baseline: BotKnobs, fault: string | undefined): BotKnobs {
  switch (fault) {
    case undefined:
      return baseline;
    case 'keepalive-off':
      return { ...baseline, pingInterval: 0 };
    case 'reconnect-off':
      return { ...baseline, reconnect: false };
    case 'max-age-off':
      return { ...baseline, maxAge: 0 };
    case 'close-blocks':
      return { ...baseline, faults: ['close-blocks'] };
    case 'lose-buffered':
      return { ...baseline, faults: ['lose-buffered'] };
    case 'slow-replies':
      return { ...baseline, replyDelayMs: baseline.replyDelayMs + 20 };
    case 'noisy': // the same mean reply time, more spread: ±1 ms uniform
      return { ...baseline, replyDelayMs: Math.max(0, baseline.replyDelayMs - 1), replyJitterMs: baseline.replyJitterMs + 2 };
    default:
      throw new Error(`no such bot fault: ${fault}`);
  }
}

export function describeBot(knobs: BotKnobs): string {
  const changes = [
    knobs.pingInterval ? `ping ${knobs.pingInterval} s, pong timeout ${knobs.pongTimeout} s` : 'keepalive off',
    knobs.maxAge ? `max age ${knobs.maxAge} s` : 'no max age',
    `reconnect ${knobs.reconnect ? 'on' : 'off'}`,
    `close timeout ${knobs.closeTimeout} s`,
    `reply delay ${knobs.replyDelayMs} ms${knobs.replyJitterMs ? ` + 0–${knobs.replyJitterMs} ms jitter` : ''}`,
    ...(knobs.faults ?? []).map((fault) => `fault ${fault}`),
  ];
  return `reference bot (${changes.join(', ')})`;
}
