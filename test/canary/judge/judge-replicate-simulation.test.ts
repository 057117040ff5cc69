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

/**
 * The sample sizes of features/canary.feature's worker scenarios (`--canary-fault slow-tokens`:
 * 32 tokens × 10 ms, a fixed 320 ms more per request): 3 requests per round (the fewest a round
 * may take) decide as surely as 4. Per-request time 100 ms on both sides — 3× the 30 ms of the
 * reference worker on a busy machine — 30 % between processes, 25 % per request.
 */
describe('the slow-tokens worker canary at the Cucumber scenarios\' sample sizes (seeded simulation)', () => {
  const slowTokens = (seed: number, rounds: number, perRound: number): { rollback: number; holdNamingPairs: number } => {
    const random = new SeededRandom(seed);
    const counts = { rollback: 0, holdNamingPairs: 0 };
    const sideOf = (extraMs: number): { values: number[]; ids: number[] } => {
      const drawn = side(random, rounds, perRound, 1, 0.3);
      return { values: drawn.values.map((value) => value + extraMs), ids: drawn.ids };
    };
    for (let i = 0; i < REPETITIONS; i++) {
      const baseline = sideOf(0);
      const canary = sideOf(320);
      const judgement = judgeCanary([], [{ name: 'inference latency', unit: 'ms', better: 'lower', baseline: baseline.values, canary: canary.values, replicates: { baseline: baseline.ids, canary: canary.ids } }]);
      if (judgement.decision === 'rollback') counts.rollback++;
      const pairs = new RegExp(`worse in ${rounds} of ${rounds} process pairs .*${rounds} pairs cannot show it even when all are worse`);
      if (judgement.decision === 'hold' && judgement.reasons.some((reason) => pairs.test(reason))) counts.holdNamingPairs++;
    }
    console.log(`slow-tokens canary, ${rounds} rounds × ${perRound}: rollback ${counts.rollback}, hold naming ${rounds} of ${rounds} pairs ${counts.holdNamingPairs} (${REPETITIONS} runs)`);
    return counts;
  };

  it('5 rounds × 3 requests (--samples 15) roll back every run', () => {
    expect(slowTokens(3005, 5, 3).rollback).toBe(REPETITIONS);
  });

  it('3 rounds × 3 requests (--replicas 3 --samples 9) hold every run, naming "3 of 3 process pairs"', () => {
    expect(slowTokens(3006, 3, 3).holdNamingPairs).toBe(REPETITIONS);
  });
});
