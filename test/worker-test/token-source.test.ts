/**
 * Where a token count came from is said with it: the server's own count when the answer carries one,
 * else the text events counted (a stream with no count at all).
 */
import { describe, expect, it } from 'vitest';
import type { InferenceResult } from '../../tasks/lib/worker/inference-styles.ts';
import { describeTokenSources } from '../../tasks/worker-test/inference-bench.ts';
import { describeTokens } from '../../tasks/worker-test/worker-checks.ts';

function streamed(tokens: number, tokenEvents: number, tokenSource: InferenceResult['tokenSource']): InferenceResult {
  return { streamed: true, text: 'x', tokens, tokenEvents, tokenSource, firstTokenMs: 1, lastTokenMs: 2, durationMs: 3, events: tokenEvents + 1 } as InferenceResult;
}

describe('token counts say their source', () => {
  it('a stream with no count: counted from events, and said so', () => {
    expect(describeTokens(streamed(21, 21, 'events'))).toBe('21 tokens (counted from events: the stream carries no token count)');
  });

  it("the server's count, with the text events when they differ", () => {
    expect(describeTokens(streamed(32, 32, 'server'))).toBe("32 tokens (server's count)");
    expect(describeTokens(streamed(32, 26, 'server'))).toBe("32 tokens (server's count; 26 text events: partial characters are sent with a later token)");
  });

  it('a JSON answer is a count, nothing more', () => {
    expect(describeTokens({ ...streamed(1, 1, 'server'), streamed: false })).toBe('1 token');
  });

  it('the bench names its source, and a mix of sources by how many', () => {
    expect(describeTokenSources([streamed(3, 3, 'server'), streamed(3, 2, 'server')])).toBe("server's token counts");
    expect(describeTokenSources([streamed(3, 3, 'events')])).toBe('tokens counted from events');
    expect(describeTokenSources([streamed(3, 3, 'server'), streamed(3, 3, 'events'), streamed(3, 3, 'server')])).toBe("server's token counts for 2 of 3 requests, counted from events for the rest");
  });
});
