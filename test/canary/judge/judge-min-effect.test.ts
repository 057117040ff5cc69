/**
 * A metric's absolute floor (`minEffect`): a worse shift no larger than it is noise whatever its
 * ratio — heartbeat jitter of 4 ms against 14 ms is 3.5× but nothing against a ± 250 ms tolerance.
 */
import { describe, expect, it } from 'vitest';
import { judgeCanary } from '../../../tasks/lib/canary/judge/judge.ts';
import type { MetricInput } from '../../../tasks/lib/canary/judge/judge-types.ts';

function spread(n: number, centre: number, width = 0.4): number[] {
  return Array.from({ length: n }, (_, i) => centre * (1 - width / 2 + (width * (i + 0.5)) / n));
}

const jitter = (baseline: number, canary: number, minEffect?: number): MetricInput => ({
  name: 'heartbeat interval jitter', unit: 'ms', better: 'lower', baseline: spread(40, baseline), canary: spread(40, canary), ...(minEffect === undefined ? {} : { minEffect }),
});

describe('judgeCanary: a metric with an absolute floor (minEffect)', () => {
  it('without it, 3.5× worse jitter (4 ms → 14 ms) rolls back', () => {
    expect(judgeCanary([], [jitter(4, 14)]).decision).toBe('rollback');
  });

  it('with minEffect 50 ms, the same 10 ms shift passes and says why', () => {
    const judgement = judgeCanary([], [jitter(4, 14, 50)]);
    expect(judgement.decision).toBe('promote');
    expect(judgement.metrics[0]?.verdict).toBe('pass');
    expect(judgement.metrics[0]?.reason).toMatch(/^3\.50× worse \(median 14 ms vs 4 ms, p < 0\.0001\) but by 10 ms, within the 50 ms absolute floor \(the floor that decided: 1\.10× alone would not call it noise\): noise/);
  });

  it('a shift beyond minEffect still rolls back (4 ms → 140 ms), decisively when the whole interval clears it', () => {
    const judgement = judgeCanary([], [jitter(4, 140, 50)]);
    expect(judgement.decision).toBe('rollback');
    expect(judgement.metrics[0]).toMatchObject({ verdict: 'fail', decisive: true });
  });

  it('is validated: a negative or non-finite minEffect is a named usage error', () => {
    expect(() => judgeCanary([], [jitter(4, 14, -1)])).toThrow(/minEffect = -1/);
    expect(() => judgeCanary([], [jitter(4, 14, Number.NaN)])).toThrow(/minEffect = NaN/);
  });
});
