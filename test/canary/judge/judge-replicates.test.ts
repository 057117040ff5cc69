import { describe, expect, it } from 'vitest';
import { judgeCanary } from '../../../tasks/lib/canary/judge/judge.ts';
import type { MetricInput } from '../../../tasks/lib/canary/judge/judge-types.ts';
import { renderJudgementTable } from '../../../tasks/lib/canary/judge/judgement-table.ts';
import { pairsNeeded, signTestP } from '../../../tasks/lib/canary/judge/replicate-consistency.ts';

/** n evenly spread values around `centre` (±10 %): deterministic, no ties within a side. */
function spread(n: number, centre: number, width = 0.2): number[] {
  return Array.from({ length: n }, (_, i) => centre * (1 - width / 2 + (width * (i + 0.5)) / n));
}

/** Rounds of `perRound` samples: the samples of each round around its centre, tagged with the round. */
function rounds(centres: number[], perRound = 10): { values: number[]; ids: number[] } {
  return { values: centres.flatMap((centre) => spread(perRound, centre)), ids: centres.flatMap((_, round) => Array<number>(perRound).fill(round + 1)) };
}

function latency(baseline: number[], canary: number[]): MetricInput {
  const b = rounds(baseline);
  const c = rounds(canary);
  return { name: 'inference latency', unit: 'ms', better: 'lower', baseline: b.values, canary: c.values, replicates: { baseline: b.ids, canary: c.ids } };
}

describe('judgeCanary: process replicates', () => {
  it('rolls back a shift that every one of 5 process pairs shows (sign test p = 1/32 < 0.05)', () => {
    const judgement = judgeCanary([], [latency([48, 50, 47, 49, 51], [70, 72, 69, 71, 73])]);
    expect(judgement.decision).toBe('rollback');
    const metric = judgement.metrics[0];
    expect(metric).toMatchObject({ verdict: 'fail', decisive: true, replicates: { compared: 5, worse: 5 } });
    expect(metric?.replicates?.pairs.map((pair) => [pair.replicate, Math.round(pair.median.baseline ?? 0), Math.round(pair.median.canary ?? 0), pair.canaryWorse])).toEqual([
      [1, 48, 70, true],
      [2, 50, 72, true],
      [3, 47, 69, true],
      [4, 49, 71, true],
      [5, 51, 73, true],
    ]);
    expect(judgement.reasons[0]).toMatch(/^metric "inference latency" failed decisively: 1\.\d\d× worse/);
  });

  it('holds a shift that all of 3 process pairs show: 3 pairs all worse happens by chance 1 time in 8, and says how many pairs can show it', () => {
    const judgement = judgeCanary([], [latency([48, 50, 47], [70, 72, 69])]);
    expect(judgement.metrics[0]?.p).toBeLessThan(0.001);
    expect(judgement.metrics[0]).toMatchObject({ verdict: 'inconclusive', decisive: false, replicates: { compared: 3, worse: 3 } });
    expect(judgement.metrics[0]?.reason).toMatch(/^worse in 3 of 3 process pairs \(sign test p = 0\.13, not below 0\.05\): the shift may be a difference between processes, not versions; 3 pairs cannot show it even when all are worse, 5 can \(pooled: /);
    expect(judgement.decision).toBe('hold');
  });

  it('holds a shift beyond the floor that is not significant but shows in every process pair', () => {
    // Wide spread within each round: not significant pooled, yet every canary median is higher.
    const b = { values: [1, 2, 3, 4, 5].flatMap((round) => spread(10, 50, 1.6)), ids: [1, 2, 3, 4, 5].flatMap((round) => Array<number>(10).fill(round)) };
    const c = { values: [1, 2, 3, 4, 5].flatMap(() => spread(10, 57, 1.6)), ids: b.ids };
    const judgement = judgeCanary([], [{ name: 'TTFT', unit: 'ms', better: 'lower', baseline: b.values, canary: c.values, replicates: { baseline: b.ids, canary: c.ids } }]);
    const metric = judgement.metrics[0];
    expect(metric?.p).toBeGreaterThan(0.05);
    expect(metric?.ratio).toBeGreaterThan(1.1);
    expect(metric).toMatchObject({ verdict: 'inconclusive', replicates: { compared: 5, worse: 5 } });
    expect(metric?.reason).toMatch(/but not significant/);
    expect(judgement.decision).toBe('hold');
  });

  it('holds a shift carried by one process pair (one canary process on a busy core), saying so, and keeps the pooled figures', () => {
    const judgement = judgeCanary([], [latency([48, 48], [47.5, 100])]);
    const metric = judgement.metrics[0];
    expect(metric?.p).toBeLessThan(0.05);
    expect(metric?.ratio).toBeGreaterThan(1.1);
    expect(metric).toMatchObject({ verdict: 'inconclusive', decisive: false, replicates: { compared: 2, worse: 1 } });
    expect(metric?.reason).toMatch(/^worse in 1 of 2 process pairs \(sign test p = 0\.75, not below 0\.05\): the shift may be a difference between processes, not versions; 2 pairs cannot show it even when all are worse, 5 can \(pooled: /);
    expect(judgement.decision).toBe('hold');
    expect(judgement.reasons[0]).toMatch(/metric "inference latency" inconclusive: worse in 1 of 2 process pairs/);
    expect(renderJudgementTable(judgement)).toMatch(/per process pair \(median baseline → canary, ms\): #1 48 → 47.5, #2 48 → 100 worse; canary worse in 1 of 2/);
  });

  it('holds a shift that four of five process pairs show (worse in 4 of 5: sign test p = 0.19)', () => {
    const judgement = judgeCanary([], [latency([48, 50, 47, 49, 51], [46, 80, 85, 82, 84])]);
    expect(judgement.metrics[0]?.p).toBeLessThan(0.05);
    expect(judgement.metrics[0]).toMatchObject({ verdict: 'inconclusive', replicates: { compared: 5, worse: 4 } });
    expect(judgement.metrics[0]?.reason).toMatch(/^worse in 4 of 5 process pairs \(sign test p = 0\.19, not below 0\.05\): the shift may be a difference between processes, not versions \(pooled: /);
    expect(judgement.decision).toBe('hold');
  });

  it('sign test over process pairs: exact binomial tail, and the pairs needed at α', () => {
    expect(signTestP(5, 5)).toBe(1 / 32);
    expect(signTestP(3, 3)).toBe(1 / 8);
    expect(signTestP(4, 5)).toBe(6 / 32);
    expect(signTestP(7, 8)).toBe(9 / 256);
    expect(signTestP(0, 4)).toBe(1);
    expect(pairsNeeded(0.05)).toBe(5);
    expect(pairsNeeded(0.01)).toBe(7);
  });

  it('holds when only one process pair has data on both sides', () => {
    const b = rounds([48, 48]);
    const c = rounds([70]);
    const judgement = judgeCanary([], [{ name: 'latency', unit: 'ms', better: 'lower', baseline: b.values, canary: c.values, replicates: { baseline: b.ids, canary: c.ids } }]);
    expect(judgement.metrics[0]).toMatchObject({ verdict: 'inconclusive', replicates: { compared: 1, worse: 1 } });
    expect(judgement.metrics[0]?.reason).toMatch(/^only 1 process pair with data on both sides/);
  });

  it('judges a metric without replicates exactly as before (the same verdict with replicates of one process per side)', () => {
    const b = spread(30, 48);
    const c = spread(30, 70);
    const plain = judgeCanary([], [{ name: 'latency', unit: 'ms', better: 'lower', baseline: b, canary: c }]);
    const single = judgeCanary([], [{ name: 'latency', unit: 'ms', better: 'lower', baseline: b, canary: c, replicates: { baseline: b.map(() => 1), canary: c.map(() => 1) } }]);
    expect(plain.decision).toBe('rollback');
    expect(plain.metrics[0]?.replicates).toBeUndefined();
    expect(single).toEqual(plain);
    expect(renderJudgementTable(plain)).not.toMatch(/process pair/);
  });

  it('applies to higher-is-better metrics in their bad direction', () => {
    const b = rounds([20, 21, 19, 20, 22]);
    const c = rounds([10, 10.5, 9.5, 10, 11]);
    const rate = (canary: { values: number[]; ids: number[] }): MetricInput => ({ name: 'tokens/s', unit: 'tokens/s', better: 'higher', baseline: b.values, canary: canary.values, replicates: { baseline: b.ids, canary: canary.ids } });
    expect(judgeCanary([], [rate(c)]).decision).toBe('rollback');
    const oneSlow = rounds([21, 10, 20, 19, 10]);
    expect(judgeCanary([], [rate(oneSlow)]).metrics[0]).toMatchObject({ verdict: 'inconclusive', replicates: { worse: 3, compared: 5 } });
  });

  it('rejects replicates that do not match the samples', () => {
    expect(() => judgeCanary([], [{ name: 'x', unit: 'ms', better: 'lower', baseline: [1, 2], canary: [1, 2], replicates: { baseline: [1], canary: [1, 2] } }])).toThrow(/baseline replicates must list one replicate per sample/);
    expect(() => judgeCanary([], [{ name: 'x', unit: 'ms', better: 'lower', baseline: [1, 2], canary: [1, 2], replicates: { baseline: [1, 1.5], canary: [1, 2] } }])).toThrow(/replicate #2 is 1\.5, not a whole number/);
  });

  // The built-in worker A/A under load said "significantly better, p = 0.0045": two sets of
  // processes differ; the sign test over the pairs must cover a difference in either direction.
  it('does not call a pooled "significantly better" a difference when only 3 of 5 process pairs are better (sign test, both directions)', () => {
    const judgement = judgeCanary([], [latency([100, 100, 100, 100, 100], [50, 52, 51, 104, 103])]);
    const metric = judgement.metrics[0];
    expect(metric?.p).toBeLessThan(0.05);
    expect(metric?.verdict).toBe('pass');
    expect(metric?.reason).toMatch(/^no consistent difference: pooled p [=<] .* but better in 3 of 5 process pairs \(sign test p = 0\.5, not below 0\.05\): a difference between processes, not versions/);
    expect(judgeCanary([], [latency([100, 100, 100, 100, 100], [50, 52, 51, 49, 53])]).metrics[0]?.reason).toMatch(/^significantly better/);
  });

  // ws kinds: one process per side, sampled in blocks between the probes. An A/A at load 19 rolled
  // back on a tail 3.8× worse that one stalled block of the canary made; a real slowdown shows in every block.
  it('with sampling blocks as replicates, a tail made by one stalled block is held; a slowdown in every block still rolls back', () => {
    const blocks = (centres: number[], stalled?: number): MetricInput => {
      const b = rounds([5, 5, 5, 5, 5, 5], 10);
      const c = rounds(centres, 10);
      const canary = c.values.map((value, index) => (stalled !== undefined && c.ids[index] === stalled ? value * 8 : value));
      return { name: 'reply latency', unit: 'ms', better: 'lower', baseline: b.values, canary, replicates: { baseline: b.ids, canary: c.ids }, replicateUnit: 'block' };
    };
    const stall = judgeCanary([], [blocks([5, 5, 5, 5, 5, 5], 3)]).metrics[0];
    expect(stall?.verdict).toBe('inconclusive');
    expect(stall?.reason).toMatch(/^worse in \d of 6 sampling blocks \(sign test p = .*\): the shift comes from some blocks only/);
    const slower = judgeCanary([], [blocks([25, 25, 25, 25, 25, 25])]);
    expect(slower.decision).toBe('rollback');
    expect(renderJudgementTable(slower)).toMatch(/per sampling block \(median baseline → canary, ms\): #1 5 → 25 worse/);
  });
});
