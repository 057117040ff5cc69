import { describe, expect, it } from 'vitest';
import { isHarnessError, type HarnessError } from '../../../tasks/lib/errors/harness-error.ts';
import { judgeCanary } from '../../../tasks/lib/canary/judge/judge.ts';
import type { JudgeOptions, MetricInput } from '../../../tasks/lib/canary/judge/judge-types.ts';
import { exactUCounts, mannWhitneyU } from '../../../tasks/lib/canary/judge/mann-whitney.ts';

const metric = (baseline: number[], canary: number[], extra: Partial<MetricInput> = {}): MetricInput => ({ name: 'ttft', unit: 'ms', better: 'lower', baseline, canary, ...extra });

function thrown(body: () => unknown): HarnessError {
  try {
    body();
  } catch (error) {
    if (isHarnessError(error)) return error;
    throw error;
  }
  throw new Error('expected a HarnessError');
}

describe('judgeCanary: edge cases', () => {
  it('no canary samples: no-data verdict, and a rollback because the canary lost a metric the baseline has', () => {
    const judgement = judgeCanary([], [metric([10, 11, 12], [])]);
    const verdict = judgement.metrics[0];
    expect(verdict).toMatchObject({ verdict: 'no-data', n: { baseline: 3, canary: 0 }, median: { baseline: 11, canary: null }, p: null, shift: null, tail: null, ratio: null });
    expect(verdict?.reason).toBe('no canary samples (baseline has 3)');
    expect(judgement.score).toBe(0);
    expect(judgement.decision).toBe('rollback');
  });

  it('no samples on either side, or none on the baseline: no-data and hold, never promote', () => {
    const neither = judgeCanary([], [metric([], [])]);
    expect(neither.metrics[0]?.verdict).toBe('no-data');
    expect(neither.decision).toBe('hold');
    const noBaseline = judgeCanary([], [metric([], [1, 2])]);
    expect(noBaseline.metrics[0]?.reason).toMatch(/no baseline samples \(canary has 2\): nothing to compare with/);
    expect(noBaseline.decision).toBe('hold');
  });

  it('nothing to judge at all holds', () => {
    const judgement = judgeCanary([], []);
    expect(judgement.decision).toBe('hold');
    expect(judgement.reasons).toEqual(['nothing was judged: no gates and no metrics']);
  });

  it('all-equal samples: p = 1, no shift, pass', () => {
    const verdict = judgeCanary([], [metric([5, 5, 5, 5, 5, 5], [5, 5, 5, 5, 5, 5])]).metrics[0];
    expect(verdict).toMatchObject({ verdict: 'pass', p: 1, ratio: 1, method: 'asymptotic' });
    expect(verdict?.shift).toMatchObject({ estimate: 0, low: 0, high: 0 });
  });

  it('all-equal but different sides: a 2× worse constant canary with n=20 fails decisively', () => {
    const judgement = judgeCanary([], [metric(Array(20).fill(5), Array(20).fill(10))]);
    expect(judgement.metrics[0]).toMatchObject({ verdict: 'fail', decisive: true, ratio: 2 });
    expect(judgement.metrics[0]?.p).toBeLessThan(1e-6);
    expect(judgement.decision).toBe('rollback');
  });

  it('n = 1 per side: p = 1, the interval covers nothing, inconclusive when worse', () => {
    const verdict = judgeCanary([], [metric([10], [20])]).metrics[0];
    expect(verdict).toMatchObject({ verdict: 'inconclusive', p: 1, method: 'exact', shift: { estimate: 10, low: 10, high: 10, confidence: 0 } });
    expect(verdict?.reason).toMatch(/n=1\/1 cannot reach p < 0\.05 \(smallest possible p = 1\)/);
  });

  it('a baseline median of zero has no ratio: any significant worse shift fails', () => {
    const verdict = judgeCanary([], [metric(Array(20).fill(0), Array.from({ length: 20 }, (_, i) => i + 1))]).metrics[0];
    expect(verdict?.ratio).toBeNull();
    expect(verdict?.verdict).toBe('fail');
  });

  for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
    it(`rejects ${bad} with a named usage error that says where it is`, () => {
      const error = thrown(() => judgeCanary([], [metric([1, 2, 3], [1, bad, 3])]));
      expect(error.code).toBe('CANARY_BAD_SAMPLE');
      expect(error.kind).toBe('usage');
      expect(error.exitCode).toBe(2);
      expect(error.message).toBe(`metric "ttft": canary sample #2 is ${bad}, not a finite number`);
      expect(error.evidence).toMatchObject({ metric: 'ttft', side: 'canary', index: 1 });
    });
  }

  it('rejects a non-number sample', () => {
    expect(thrown(() => judgeCanary([], [metric(['12' as unknown as number], [1])])).code).toBe('CANARY_BAD_SAMPLE');
  });

  const badOptions: [JudgeOptions, string][] = [
    [{ alpha: 0 }, 'alpha'],
    [{ alpha: 1.5 }, 'alpha'],
    [{ effectFloor: 0.9 }, 'effectFloor'],
    [{ tailQuantile: 0.4 }, 'tailQuantile'],
    [{ tailMaxRatio: Number.NaN }, 'tailMaxRatio'],
    [{ confidence: 1 }, 'confidence'],
    [{ minScore: 2 }, 'minScore'],
  ];
  for (const [options, name] of badOptions) {
    it(`rejects option ${JSON.stringify(options)} as a usage error`, () => {
      const error = thrown(() => judgeCanary([], [], options));
      expect(error.code).toBe('CANARY_BAD_OPTION');
      expect(error.kind).toBe('usage');
      expect(error.message).toContain(name);
    });
  }

  it('rejects duplicate names, bad gate states and bad directions', () => {
    expect(thrown(() => judgeCanary([], [metric([1], [1]), metric([2], [2])])).code).toBe('CANARY_DUPLICATE_NAME');
    expect(thrown(() => judgeCanary([{ name: 'g', baseline: 'ok' as 'pass', canary: 'pass' }], [])).code).toBe('CANARY_BAD_GATE');
    expect(thrown(() => judgeCanary([], [metric([1], [1], { better: 'faster' as 'lower' })])).code).toBe('CANARY_BAD_METRIC');
  });

  it('does not change its input', () => {
    const input = metric([3, 1, 2], [6, 4, 5]);
    judgeCanary([], [input]);
    expect(input.baseline).toEqual([3, 1, 2]);
    expect(input.canary).toEqual([6, 4, 5]);
  });
});

describe('Mann–Whitney exact distribution', () => {
  it('counts every arrangement once and is symmetric', () => {
    const counts = exactUCounts(7, 9);
    let total = 0;
    for (const count of counts) total += count;
    expect(total).toBe(11440); // C(16, 7)
    for (let u = 0; u < counts.length; u++) expect(counts[u]).toBe(counts[counts.length - 1 - u]);
  });

  it('refuses the exact method with ties', () => {
    expect(() => mannWhitneyU([1, 2, 2], [2, 3, 4], 'exact')).toThrow(/assumes no ties/);
  });

  it('refuses empty samples', () => {
    expect(() => mannWhitneyU([], [1])).toThrow(/at least one value on each side/);
  });
});
