import { fileURLToPath } from 'node:url';
import { chatKnobArgs, chatKnobWords, sharedCanaryKnobs, type ChatKnobs } from './reference-knobs.ts';

export const BOT_ENTRY = fileURLToPath(new URL('../../fixtures/ws-bot/main.ts', import.meta.url));

export interface BotKnobs extends ChatKnobs {
  reconnect: boolean;
  faults?: ReadonlyArray<'close-blocks' | 'lose-buffered'>;
}

/** The reference bot as an argv template (`{url}`, `{name}` are filled per side). */
export function referenceBotArgv(knobs: BotKnobs): string[] {
  return [
    process.execPath, '--import', import.meta.resolve('tsx'), BOT_ENTRY, '--url', '{url}', '--name', '{name}', ...chatKnobArgs(knobs),
    '--reconnect', knobs.reconnect ? 'on' : 'off', ...(knobs.faults ?? []).flatMap((fault) => ['--fault', fault]),
  ];
}

/** The built-in canary bot: the baseline's knobs with one regression. */
export function canaryBotKnobs(baseline: BotKnobs, fault: string | undefined): BotKnobs {
  const shared = sharedCanaryKnobs(baseline, fault);
  if (shared) return shared;
  switch (fault) {
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
  const changes = [words.keepalive, words.maxAge, `reconnect ${knobs.reconnect ? 'on' : 'off'}`, words.close, words.reply, ...(knobs.faults ?? []).map((fault) => `fault ${fault}`)];
  return `reference bot (${changes.join(', ')})`;
}
