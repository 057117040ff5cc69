import { fileURLToPath } from 'node:url';
import { nodeProgram } from '../lib/process/node-program.ts';
import { chatKnobArgs, chatKnobWords, sharedCanaryKnobs, type ChatKnobs } from './reference-knobs.ts';

export const BOT_ENTRY = fileURLToPath(new URL('../../fixtures/ws-bot/main.ts', import.meta.url));

export interface BotKnobs extends ChatKnobs {
  reconnect: boolean;
  /** `close`: a pong timeout starts a closing handshake and drops the socket after the close timeout (Python websockets). */
  onPongTimeout?: 'terminate' | 'close';
  /** Crash: exit 1 after this many replies. */
  exitAfterReplies?: number;
  faults?: ReadonlyArray<'close-blocks' | 'lose-buffered'>;
}

/** The reference bot as an argv template (`{url}`, `{name}` are filled per side). */
export function referenceBotArgv(knobs: BotKnobs): string[] {
  return [
    ...nodeProgram('ws-bot'), '--url', '{url}', '--name', '{name}', ...chatKnobArgs(knobs),
    '--reconnect', knobs.reconnect ? 'on' : 'off',
    ...(knobs.onPongTimeout ? ['--on-pong-timeout', knobs.onPongTimeout] : []),
    ...(knobs.exitAfterReplies ? ['--exit-after-replies', String(knobs.exitAfterReplies)] : []),
    ...(knobs.faults ?? []).flatMap((fault) => ['--fault', fault]),
  ];
}

/** The built-in canary bot: the baseline's knobs with one regression. */
export function canaryBotKnobs(baseline: BotKnobs, fault: string | undefined): BotKnobs {
  const shared = sharedCanaryKnobs(baseline, fault);
  if (shared) return shared;
  switch (fault) {
    case 'crash':
      return { ...baseline, exitAfterReplies: 3 };
    case 'reconnect-off':
      return { ...baseline, reconnect: false };
    case 'close-blocks':
      return { ...baseline, faults: ['close-blocks'] };
    case 'lose-buffered':
      return { ...baseline, faults: ['lose-buffered'] };
    default:
      throw new Error(`no such bot fault: ${fault}`);
  }
}

export function describeBot(knobs: BotKnobs): string {
  const words = chatKnobWords(knobs);
  const changes = [words.keepalive, words.maxAge, `reconnect ${knobs.reconnect ? 'on' : 'off'}`, words.close, words.reply, ...(knobs.onPongTimeout === 'close' ? ['pong timeout closes with a handshake'] : []), ...(knobs.exitAfterReplies ? [`exits 1 after ${knobs.exitAfterReplies} replies`] : []), ...(knobs.faults ?? []).map((fault) => `fault ${fault}`)];
  return `reference bot (${changes.join(', ')})`;
}
