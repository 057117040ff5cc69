import type { ChatKnobs } from '../../fixtures/chat-common/chat-fixture.ts';

export type { ChatKnobs } from '../../fixtures/chat-common/chat-fixture.ts';

/** The shared knobs as command-line flags of the fixtures. */
export function chatKnobArgs(knobs: ChatKnobs): string[] {
  return [
    '--ping-interval', String(knobs.pingInterval), '--pong-timeout', String(knobs.pongTimeout), '--max-age', String(knobs.maxAge),
    '--close-timeout', String(knobs.closeTimeout), '--reply-delay', String(knobs.replyDelayMs), '--reply-jitter', String(knobs.replyJitterMs),
  ];
}

/** The shared knobs in words, for "compared: …". */
export function chatKnobWords(knobs: ChatKnobs): { keepalive: string; maxAge: string; close: string; reply: string } {
  return {
    keepalive: knobs.pingInterval ? `ping ${knobs.pingInterval} s, pong timeout ${knobs.pongTimeout} s` : 'keepalive off',
    maxAge: knobs.maxAge ? `max age ${knobs.maxAge} s` : 'no max age',
    close: `close timeout ${knobs.closeTimeout} s`,
    reply: `reply delay ${knobs.replyDelayMs} ms${knobs.replyJitterMs ? ` + 0–${knobs.replyJitterMs} ms jitter` : ''}`,
  };
}

/**
 * The regressions both reference subjects take the same way; undefined when `fault` is not one
 * of them (the subject's own faults then apply). No fault: the baseline's knobs.
 */
export function sharedCanaryKnobs<K extends ChatKnobs>(baseline: K, fault: string | undefined): K | undefined {
  switch (fault) {
    case undefined:
      return baseline;
    case 'keepalive-off':
      return { ...baseline, pingInterval: 0 };
    case 'max-age-off':
      return { ...baseline, maxAge: 0 };
    case 'slow-replies':
      return { ...baseline, replyDelayMs: baseline.replyDelayMs + 20 };
    case 'slightly-slower': // 1 ms more per reply: a ratio of two ~1 ms medians, nothing a user notices
      return { ...baseline, replyDelayMs: baseline.replyDelayMs + 1 };
    case 'noisy': // the same mean reply time, more spread: ±1 ms uniform
      return { ...baseline, replyDelayMs: Math.max(0, baseline.replyDelayMs - 1), replyJitterMs: baseline.replyJitterMs + 2 };
    default:
      return undefined;
  }
}
