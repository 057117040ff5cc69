import { describe, expect, it } from 'vitest';
import type { InferenceResult } from '../../tasks/lib/worker/inference-styles.ts';
import { describeAgreement, timingAgreement } from '../../tasks/lib/worker/timing-agreement.ts';

/** A streamed answer: `tokens` token events, the first at `firstMs`, one every `stepMs`, in `reads` reads of the body. */
function stream(options: { tokens: number; firstMs: number; stepMs: number; reads?: number; serverRate: number }): InferenceResult {
  const last = options.firstMs + (options.tokens - 1) * options.stepMs;
  return {
    streamed: true, text: 'x', tokens: options.tokens, tokenSource: 'server', tokenEvents: options.tokens, tokenReads: options.reads ?? options.tokens,
    finishReason: 'limit', firstTokenMs: options.firstMs, lastTokenMs: last, durationMs: last + 1, events: options.tokens + 1,
    serverTimings: { promptMs: options.firstMs - 1, predictedMs: last - options.firstMs, predictedPerSecond: options.serverRate, predictedN: options.tokens },
  };
}

describe('client generation rate', () => {
  it('counts n tokens over n − 1 intervals, as predicted_per_second does (not +3.2 % at 32 tokens)', () => {
    // 32 tokens 5 ms apart: 31 intervals in 155 ms = 200 tokens/s exactly.
    const agreement = timingAgreement([stream({ tokens: 32, firstMs: 10, stepMs: 5, serverRate: 200 })]);
    expect(agreement?.tokensPerSecond.client).toBeCloseTo(200, 6);
    expect(agreement?.tokensPerSecond.diffPct).toBeCloseTo(0, 6);
    expect(describeAgreement(agreement!)).toMatch(/generation 200 vs 200 tokens\/s \(\+0 tokens\/s, \+0\.0 %\)$/);
  });

  it('a stream that arrived in one read gives no rate, and says so (not "313216 vs 6254 tokens/s (+4908 %)")', () => {
    const agreement = timingAgreement([stream({ tokens: 32, firstMs: 10, stepMs: 0.0032, reads: 1, serverRate: 6254 })]);
    expect(agreement?.generationTimed).toBe(0);
    expect(agreement?.generationBunched).toBe(1);
    expect(Number.isNaN(agreement?.tokensPerSecond.client)).toBe(true);
    expect(agreement?.tokensPerSecond.server).toBe(6254); // the server's own figure still reported
    expect(describeAgreement(agreement!)).toMatch(/generation: n\/a \(every stream arrived too bunched to give a rate: the token events came in too few reads to time the generation\)$/);
  });

  it('streams in too few reads are left out of the median, and counted', () => {
    const agreement = timingAgreement([stream({ tokens: 32, firstMs: 10, stepMs: 5, serverRate: 200 }), stream({ tokens: 32, firstMs: 10, stepMs: 0.1, reads: 3, serverRate: 200 })]);
    expect(agreement?.generationTimed).toBe(1);
    expect(agreement?.tokensPerSecond.client).toBeCloseTo(200, 6);
    expect(describeAgreement(agreement!)).toContain('[1 of 2 streams timed; 1 arrived too bunched to give a rate]');
  });

  it('a client rate above the server\'s is not blamed on HTTP overhead', () => {
    const agreement = timingAgreement([stream({ tokens: 32, firstMs: 10, stepMs: 4, serverRate: 200 })]);
    expect(agreement?.tokensPerSecond.diffPct).toBeGreaterThan(5);
    const text = describeAgreement(agreement!);
    expect(text).toContain('the client saw tokens closer together than the server made them: buffered on the way, not HTTP overhead');
  });
});
