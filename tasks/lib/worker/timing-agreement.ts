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
 * - generation rate (client: n tokens over the n − 1 intervals between the first and the last token
 *   event) vs `predicted_per_second`; only streams whose token events arrived spread out can be timed.
 * TTFT and latency on the client include the HTTP round trip and the worker's queue: their excess is
 * that overhead. A client generation rate above the server's is not overhead: tokens reached the
 * client closer together than they were made (buffered on the way).
 */
export interface TimingAgreement {
  /** Requests whose answer carried timings. */
  requests: number;
  /** Streams whose generation the client could time, and those that arrived too bunched to. */
  generationTimed: number;
  generationBunched: number;
  ttftMs: FigurePair;
  latencyMs: FigurePair;
  tokensPerSecond: FigurePair;
}

function pair(client: number[], server: number[]): FigurePair {
  const c = percentile(client, 50);
  const s = percentile(server, 50);
  return { client: c, server: s, diff: c - s, diffPct: s === 0 ? Number.NaN : ((c - s) / s) * 100 };
}

/**
 * True when a stream's token events arrived bunched: in fewer than two reads, or fewer reads than
 * half the events. The span from the first to the last event then measures how the bytes were
 * buffered on the way (a proxy, a busy client), not how fast the tokens were made.
 */
export function arrivedBunched(result: Pick<InferenceResult, 'tokenEvents' | 'tokenReads'>): boolean {
  const events = result.tokenEvents ?? 0;
  const reads = result.tokenReads ?? events;
  return reads < 2 || reads < events / 2;
}

/**
 * The client's generation rate for one stream: n tokens make n − 1 intervals between the first
 * token event and the last (the first token's own time is the TTFT), as llama.cpp's
 * `predicted_per_second` counts them. Undefined for a single token or a stream that arrived bunched.
 */
export function clientGenerationRate(result: Pick<InferenceResult, 'streamed' | 'tokens' | 'firstTokenMs' | 'lastTokenMs' | 'tokenEvents' | 'tokenReads'>): number | undefined {
  if (!result.streamed || result.lastTokenMs === undefined || result.tokens < 2 || result.lastTokenMs <= result.firstTokenMs || arrivedBunched(result)) return undefined;
  return ((result.tokens - 1) / (result.lastTokenMs - result.firstTokenMs)) * 1000;
}

/** Undefined when no answer carried the worker's timings (then there is nothing to agree with). */
export function timingAgreement(results: readonly InferenceResult[]): TimingAgreement | undefined {
  const timed = results.filter((result) => result.serverTimings?.promptMs !== undefined && result.serverTimings.predictedMs !== undefined);
  if (timed.length === 0) return undefined;
  const withRate = timed.filter((result) => result.streamed && result.serverTimings?.predictedPerSecond !== undefined);
  const streamed = withRate.filter((result) => clientGenerationRate(result) !== undefined);
  return {
    requests: timed.length,
    generationTimed: streamed.length,
    generationBunched: withRate.filter((result) => result.tokens >= 2 && arrivedBunched(result)).length,
    ttftMs: pair(timed.map((r) => r.firstTokenMs), timed.map((r) => r.serverTimings?.promptMs as number)),
    latencyMs: pair(timed.map((r) => r.durationMs), timed.map((r) => (r.serverTimings?.promptMs as number) + (r.serverTimings?.predictedMs as number))),
    // Like for like: the requests the client could time; with none, the server's figure alone.
    tokensPerSecond: streamed.length > 0
      ? pair(streamed.map((r) => clientGenerationRate(r) as number), streamed.map((r) => r.serverTimings?.predictedPerSecond as number))
      : { client: Number.NaN, server: percentile(withRate.map((r) => r.serverTimings?.predictedPerSecond as number), 50), diff: Number.NaN, diffPct: Number.NaN },
  };
}

const signed = (value: number, digits: number): string => `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(digits)}`;

/** A client generation rate this much above the server's is worth explaining (timer granularity is below it). */
const RATE_ABOVE_SERVER_PCT = 5;

/** `TTFT 3.1 ms vs server 2.0 ms (+1.1 ms, +55 %); …` */
export function describeAgreement(agreement: TimingAgreement): string {
  const f = (name: string, p: FigurePair, unit: string, digits: number): string =>
    Number.isNaN(p.client) ? `${name}: n/a` : `${name} ${p.client.toFixed(digits)} vs ${p.server.toFixed(digits)}${unit} (${signed(p.diff, digits)}${unit}, ${signed(p.diffPct, 1)} %)`;
  const rate = agreement.tokensPerSecond;
  const streams = agreement.generationTimed + agreement.generationBunched;
  let generation = f('generation', rate, ' tokens/s', 0);
  if (Number.isNaN(rate.client)) {
    generation = agreement.generationBunched > 0
      ? `generation: n/a (${agreement.generationBunched === streams ? 'every stream' : `${agreement.generationBunched} of ${streams} streams`} arrived too bunched to give a rate: the token events came in too few reads to time the generation)`
      : 'generation: n/a';
  } else {
    const notes: string[] = [];
    if (agreement.generationBunched > 0) notes.push(`${agreement.generationTimed} of ${streams} streams timed; ${agreement.generationBunched} arrived too bunched to give a rate`);
    if (rate.diffPct > RATE_ABOVE_SERVER_PCT) notes.push('the client saw tokens closer together than the server made them: buffered on the way, not HTTP overhead');
    if (notes.length) generation += ` [${notes.join('; ')}]`;
  }
  return [f('TTFT', agreement.ttftMs, ' ms', 1), f('latency', agreement.latencyMs, ' ms', 1), generation].join('; ');
}
