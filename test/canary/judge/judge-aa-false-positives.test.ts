/**
 * A/A false-positive rate per metric, by seeded simulation (not real runs): how often the judge
 * reports a significant difference (p < α, either direction) between two identical builds, next
 * to α. Two conditions, modelled on the built-in worker pair (5 process pairs × 10 samples):
 * "quiet" (processes alike: per-request noise only, 25 % log-normal) and "busy" (each process
 * also has a persistent speed factor of its own, 30 % log-normal, as two busy loops beside the
 * workers give). Pooled, the rank test finds a difference in far more than α of busy A/A runs; the
 * sign test over the process pairs (which the judge now applies in both directions) brings the
 * rate back to about α or below. Real-run figures are in docs/canary-check.md, labelled as such.
 * The rates measured are printed.
 */
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../fixtures/tiny-model/seeded-random.ts';
import { judgeCanary } from '../../../tasks/lib/canary/judge/judge.ts';
import type { MetricInput, MetricVerdict } from '../../../tasks/lib/canary/judge/judge-types.ts';

const RUNS = 200;
const ALPHA = 0.05;
const METRICS: Array<{ name: string; better: 'lower' | 'higher'; scale: number }> = [
  { name: 'TTFT', better: 'lower', scale: 4 },
  { name: 'inference latency', better: 'lower', scale: 30 },
  { name: 'tokens/s', better: 'higher', scale: 1100 },
];

function side(random: SeededRandom, scale: number, processSpread: number): { values: number[]; ids: number[] } {
  const values: number[] = [];
  const ids: number[] = [];
  for (let round = 1; round <= 5; round++) {
    const factor = Math.exp(processSpread * random.normal());
    for (let i = 0; i < 10; i++) {
      values.push(scale * factor * Math.exp(0.25 * random.normal()));
      ids.push(round);
    }
  }
  return { values, ids };
}

/** A significant difference the judge reports: pooled p < α, and with replicates the pairs agree (else its reason says they do not). */
const reported = (verdict: MetricVerdict): boolean => verdict.p !== null && verdict.p < ALPHA && !verdict.reason.startsWith('no consistent difference') && !verdict.reason.startsWith('worse in');

function falsePositives(seed: number, processSpread: number): Record<string, { pooled: number; judged: number; rollback: number }> {
  const random = new SeededRandom(seed);
  const counts = Object.fromEntries(METRICS.map((metric) => [metric.name, { pooled: 0, judged: 0, rollback: 0 }]));
  for (let run = 0; run < RUNS; run++) {
    const inputs: MetricInput[] = METRICS.map((metric) => {
      const baseline = side(random, metric.scale, processSpread);
      const canary = side(random, metric.scale, processSpread);
      return { name: metric.name, unit: 'ms', better: metric.better, baseline: baseline.values, canary: canary.values, replicates: { baseline: baseline.ids, canary: canary.ids } };
    });
    const judgement = judgeCanary([], inputs);
    for (const verdict of judgement.metrics) {
      const count = counts[verdict.name] as { pooled: number; judged: number; rollback: number };
      if (verdict.p !== null && verdict.p < ALPHA) count.pooled++;
      if (reported(verdict)) count.judged++;
      if (verdict.verdict === 'fail' && verdict.decisive) count.rollback++;
    }
  }
  const pct = (n: number): string => `${((100 * n) / RUNS).toFixed(1)} %`;
  for (const [name, count] of Object.entries(counts)) {
    console.log(`A/A ${processSpread ? 'busy (30 % between processes)' : 'quiet (processes alike)'}, ${name}: p < ${ALPHA} pooled ${pct(count.pooled)}, reported by the judge ${pct(count.judged)}, rollback ${pct(count.rollback)} (α = ${ALPHA * 100} %, ${RUNS} seeded runs)`);
  }
  return counts;
}

describe('A/A false-positive rate per metric (seeded simulation of the built-in worker pair)', () => {
  it('quiet: every metric is reported significant in at most about α of A/A runs, rolls back in at most α/2', () => {
    for (const count of Object.values(falsePositives(7001, 0))) {
      expect(count.judged / RUNS).toBeLessThanOrEqual(2 * ALPHA);
      expect(count.rollback / RUNS).toBeLessThanOrEqual(ALPHA / 2);
    }
  });

  it('busy: pooled p < α in far more than α of runs; after the sign test over process pairs, at most about α', () => {
    const counts = falsePositives(7002, 0.3);
    for (const count of Object.values(counts)) {
      expect(count.pooled / RUNS).toBeGreaterThan(3 * ALPHA);
      expect(count.judged / RUNS).toBeLessThanOrEqual(1.5 * ALPHA);
      expect(count.rollback / RUNS).toBeLessThanOrEqual(ALPHA);
    }
  });
});
