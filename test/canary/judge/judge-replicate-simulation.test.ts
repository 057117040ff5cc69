/**
 * Calibration by simulation with process replicates (seeded): samples come from k processes per
 * side, and each process has a persistent speed factor of its own (CPU placement, a neighbour's
 * load: log-normal, ~30 % between processes) on top of the per-request noise. A pooled rank test
 * reads such a factor as a difference between versions; the judge's sign test over the process
 * pairs must keep an A/A comparison from rolling back, while a real regression larger than the
 * difference between processes still rolls back.
 * The rates measured are printed.
 */
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../fixtures/tiny-model/seeded-random.ts';
import { judgeCanary } from '../../../tasks/lib/canary/judge/judge.ts';
import type { CanaryDecision, MetricInput } from '../../../tasks/lib/canary/judge/judge-types.ts';

const REPETITIONS = 1000;

function side(random: SeededRandom, rounds: number, perRound: number, scale: number, spread: number): { values: number[]; ids: number[] } {
  const values: number[] = [];
  const ids: number[] = [];
  for (let round = 1; round <= rounds; round++) {
    const processFactor = Math.exp(spread * random.normal());
    for (let i = 0; i < perRound; i++) {
      values.push(100 * scale * processFactor * Math.exp(0.25 * random.normal()));
      ids.push(round);
    }
  }
  return { values, ids };
}

function simulate(seed: number, rounds: number, slowdown: number, spread: number): Record<CanaryDecision, number> {
  const random = new SeededRandom(seed);
  const decisions: Record<CanaryDecision, number> = { promote: 0, hold: 0, rollback: 0 };
  const perRound = Math.floor(50 / rounds);
  for (let i = 0; i < REPETITIONS; i++) {
    const baseline = side(random, rounds, perRound, 1, spread);
    const canary = side(random, rounds, perRound, slowdown, spread);
    const metric: MetricInput = { name: 'latency', unit: 'ms', better: 'lower', baseline: baseline.values, canary: canary.values, replicates: { baseline: baseline.ids, canary: canary.ids } };
    decisions[judgeCanary([], [metric]).decision]++;
  }
  const rate = (count: number): string => `${((100 * count) / REPETITIONS).toFixed(1)} %`;
  console.log(`${rounds} process pairs × ${perRound} samples, process spread ${spread * 100} %, canary ${slowdown}×: rollback ${rate(decisions.rollback)}, hold ${rate(decisions.hold)}, promote ${rate(decisions.promote)} (${REPETITIONS} runs)`);
  return decisions;
}

describe('canary judge calibration with process replicates (seeded simulation)', () => {
  it('A/A with a 30 % speed difference between processes: 5 pairs roll back in ≤ 5 % of runs and promote in most', () => {
    const decisions = simulate(3001, 5, 1, 0.3);
    expect(decisions.rollback / REPETITIONS).toBeLessThanOrEqual(0.05);
    expect(decisions.promote / REPETITIONS).toBeGreaterThanOrEqual(0.6);
  });

  it('A/A with 3 pairs never rolls back (3 pairs all worse is chance 1 in 8: at most a hold)', () => {
    expect(simulate(3002, 3, 1, 0.3).rollback).toBe(0);
  });

  it('a 1.5× slower canary, 15 % between processes: 5 pairs roll back in ≥ 70 % of runs, promote in ≤ 1 %', () => {
    const decisions = simulate(3003, 5, 1.5, 0.15);
    expect(decisions.rollback / REPETITIONS).toBeGreaterThanOrEqual(0.7);
    expect(decisions.promote / REPETITIONS).toBeLessThanOrEqual(0.01);
  });

  it('a 2× slower canary, 30 % between processes: rolls back in ≥ 60 % of runs, promotes never', () => {
    const decisions = simulate(3004, 5, 2, 0.3);
    expect(decisions.rollback / REPETITIONS).toBeGreaterThanOrEqual(0.6);
    expect(decisions.promote).toBe(0);
  });
});
