import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hodgesLehmann } from '../../../tasks/lib/canary/judge/hodges-lehmann.ts';
import { normalQuantile, normalSf } from '../../../tasks/lib/canary/judge/normal-distribution.ts';
import { chooseMethod, mannWhitneyU, smallestExactP } from '../../../tasks/lib/canary/judge/mann-whitney.ts';
import { compareTails } from '../../../tasks/lib/canary/judge/tail-exceedance.ts';
import { percentile } from '../../../tasks/lib/stats/percentiles.ts';

interface Interval { k: number; low: number; high: number; confidence: number }
interface GoldenCase {
  name: string;
  better: 'lower' | 'higher';
  baseline: number[];
  canary: number[];
  ties: boolean;
  u: number;
  sigma: number;
  p_asymptotic: number;
  p_exact?: number;
  p_smallest_exact?: number;
  hl: number;
  hl_exact?: Interval;
  hl_asymptotic: Interval;
  median: { baseline: number; canary: number };
  tail: { quantile: number; baseline: number; canary: number };
  exceedance: { r: number; w: number; p: number };
}

// Produced by test/canary/golden/make-golden.py with SciPy (see its doc string for every formula).
const golden = JSON.parse(readFileSync(new URL('../golden/judge-golden.json', import.meta.url), 'utf8')) as {
  confidence: number;
  tailQuantile: number;
  normal: { sf: [number, number][]; ppf: [number, number][] };
  cases: GoldenCase[];
};

/** Same number to 1e-9 relative (every reference here is computed, not approximated, so one tolerance fits all). */
function expectClose(actual: number, expected: number, what: string): void {
  const scale = Math.max(Math.abs(actual), Math.abs(expected));
  expect(Math.abs(actual - expected), `${what}: ${actual} vs SciPy ${expected}`).toBeLessThanOrEqual(scale * 1e-9 + 1e-300);
}

describe('canary judge statistics agree with SciPy (golden numbers)', () => {
  it('has the cases the generator wrote', () => {
    expect(golden.cases.length).toBeGreaterThanOrEqual(15);
    expect(golden.cases.some((c) => c.ties)).toBe(true);
    expect(golden.cases.some((c) => c.p_exact !== undefined && c.baseline.length >= 20)).toBe(true);
  });

  it('normal upper tail and quantile', () => {
    for (const [z, sf] of golden.normal.sf) expectClose(normalSf(z), sf, `sf(${z})`);
    for (const [p, z] of golden.normal.ppf) expectClose(normalQuantile(p), z, `ppf(${p})`);
  });

  for (const c of golden.cases) {
    describe(c.name, () => {
      it('Mann–Whitney U and the asymptotic p (tie + continuity corrected)', () => {
        const result = mannWhitneyU(c.baseline, c.canary, 'asymptotic');
        expect(result.u).toBe(c.u);
        expect(result.ties).toBe(c.ties);
        expectClose(result.sigma, c.sigma, 'sigma');
        expectClose(result.p, c.p_asymptotic, 'asymptotic p');
      });

      if (c.p_exact !== undefined) {
        it('the exact p', () => {
          const result = mannWhitneyU(c.baseline, c.canary, 'exact');
          expectClose(result.p, c.p_exact as number, 'exact p');
          expectClose(smallestExactP(c.baseline.length, c.canary.length), c.p_smallest_exact as number, 'smallest exact p');
        });
      }

      it("'auto' uses the exact p without ties and n₁n₂ ≤ 2500, else the asymptotic one", () => {
        const result = mannWhitneyU(c.baseline, c.canary);
        const expected = chooseMethod(c.baseline.length, c.canary.length, c.ties);
        expect(result.method).toBe(expected);
        expect(expected).toBe(!c.ties && c.baseline.length * c.canary.length <= 2500 ? 'exact' : 'asymptotic');
        expectClose(result.p, expected === 'exact' ? (c.p_exact as number) : c.p_asymptotic, 'auto p');
      });

      it('Hodges–Lehmann estimate and intervals (exact and asymptotic critical rank)', () => {
        const { sigma } = mannWhitneyU(c.baseline, c.canary, 'asymptotic');
        const asymptotic = hodgesLehmann(c.baseline, c.canary, golden.confidence, 'asymptotic', sigma);
        expectClose(asymptotic.estimate, c.hl, 'HL estimate');
        expect(asymptotic.k).toBe(c.hl_asymptotic.k);
        expectClose(asymptotic.low, c.hl_asymptotic.low, 'asymptotic low');
        expectClose(asymptotic.high, c.hl_asymptotic.high, 'asymptotic high');
        expectClose(asymptotic.confidence, c.hl_asymptotic.confidence, 'asymptotic coverage');
        if (c.hl_exact) {
          const exact = hodgesLehmann(c.baseline, c.canary, golden.confidence, 'exact', sigma);
          expect(exact.k).toBe(c.hl_exact.k);
          expectClose(exact.low, c.hl_exact.low, 'exact low');
          expectClose(exact.high, c.hl_exact.high, 'exact high');
          expectClose(exact.confidence, c.hl_exact.confidence, 'exact coverage');
        }
      });

      it('medians, worse-side tail quantile and the exceedance test', () => {
        expectClose(percentile(c.baseline, 50), c.median.baseline, 'baseline median');
        expectClose(percentile(c.canary, 50), c.median.canary, 'canary median');
        const tail = compareTails(c.baseline, c.canary, c.better, golden.tailQuantile);
        expectClose(tail.quantile, c.tail.quantile, 'quantile');
        expectClose(tail.baseline, c.tail.baseline, 'baseline tail');
        expectClose(tail.canary, c.tail.canary, 'canary tail');
        expect({ r: tail.r, w: tail.exceedances }).toEqual({ r: c.exceedance.r, w: c.exceedance.w });
        expectClose(tail.p, c.exceedance.p, 'exceedance p');
      });
    });
  }
});
