import { percentile } from '../stats/percentiles.ts';
import type { InferenceResult } from './inference-styles.ts';

/** One figure seen from both sides: the client's measurement and the worker's own. */
export interface FigurePair {
  client: number;
  server: number;
  /** (client − server) / server, in percent. */
  diffPct: number;
  /** client − server, in the figure's unit (ms, tokens/s). */
  diff: number;
}

/**
 * The bench's medians set beside the worker's own `timings` (llama.cpp's shape), per request:
 * - TTFT (client: request sent → first token event) vs `prompt_ms` (server: prompt → first token);
 * - latency (client: request sent → end of answer) vs `prompt_ms + predicted_ms`;
 * - generation rate (client: tokens / (last token event − first token event)) vs `predicted_per_second`.
 * The client side includes the HTTP round trip and the worker's queue; the difference is that overhead.
 */
export interface TimingAgreement {
  /** Requests whose answer carried timings. */
  requests: number;
  ttftMs: FigurePair;
  latencyMs: FigurePair;
  tokensPerSecond: FigurePair;
}

function pair(client: number[], server: number[]): FigurePair {
  const c = percentile(client, 50);
  const s = percentile(server, 50);
  return { client: c, server: s, diff: c - s, diffPct: s === 0 ? Number.NaN : ((c - s) / s) * 100 };
}

/** Undefined when no answer carried the worker's timings (then there is nothing to agree with). */
export function timingAgreement(results: readonly InferenceResult[]): TimingAgreement | undefined {
  const timed = results.filter((result) => result.serverTimings?.promptMs !== undefined && result.serverTimings.predictedMs !== undefined);
  if (timed.length === 0) return undefined;
  const streamed = timed.filter((result) => result.streamed && result.lastTokenMs !== undefined && result.lastTokenMs > result.firstTokenMs && result.serverTimings?.predictedPerSecond !== undefined);
  return {
    requests: timed.length,
    ttftMs: pair(timed.map((r) => r.firstTokenMs), timed.map((r) => r.serverTimings?.promptMs as number)),
    latencyMs: pair(timed.map((r) => r.durationMs), timed.map((r) => (r.serverTimings?.promptMs as number) + (r.serverTimings?.predictedMs as number))),
    tokensPerSecond: pair(
      streamed.map((r) => (r.tokens / ((r.lastTokenMs as number) - r.firstTokenMs)) * 1000),
      streamed.map((r) => r.serverTimings?.predictedPerSecond as number),
    ),
  };
}

const signed = (value: number, digits: number): string => `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(digits)}`;

/** `TTFT 3.1 ms vs server 2.0 ms (+1.1 ms, +55 %); …` */
export function describeAgreement(agreement: TimingAgreement): string {
  const f = (name: string, p: FigurePair, unit: string, digits: number): string =>
    Number.isNaN(p.client) ? `${name}: n/a` : `${name} ${p.client.toFixed(digits)} vs ${p.server.toFixed(digits)}${unit} (${signed(p.diff, digits)}${unit}, ${signed(p.diffPct, 1)} %)`;
  return [f('TTFT', agreement.ttftMs, ' ms', 1), f('latency', agreement.latencyMs, ' ms', 1), f('generation', agreement.tokensPerSecond, ' tokens/s', 0)].join('; ');
}
