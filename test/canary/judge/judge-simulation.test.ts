/**
 * Calibration by simulation (seeded, so every run judges the same samples): an A/A comparison —
 * baseline against itself, noisy — must not roll back in ≥ 95 % of repetitions, and a canary 1.5×
 * slower with n = 20 per side must roll back in ≥ 90 %. The rates measured are printed.
 *
 * Noise model: latency = 100 ms · exp(0.25·Z) (log-normal, ~25 % spread), and in the "spiky" model
 * 5 % of requests also take 2–3× longer (GC pauses, scheduler hiccups).
 */
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../fixtures/tiny-model/seeded-random.ts';
import { judgeCanary } from '../../../tasks/lib/canary/judge/judge.ts';
import type { CanaryDecision } from '../../../tasks/lib/canary/judge/judge-types.ts';

const REPETITIONS = 1000;

function latencies(random: SeededRandom, n: number, scale: number, spikes: number): number[] {
  return Array.from({ length: n }, () => 100 * scale * Math.exp(0.25 * random.normal()) * (random.next() < spikes ? 2 + random.next() : 1));
}

function simulate(seed: number, n: number, slowdown: number, spikes: number): Record<CanaryDecision, number> {
  const random = new SeededRandom(seed);
  const decisions: Record<CanaryDecision, number> = { promote: 0, hold: 0, rollback: 0 };
  for (let i = 0; i < REPETITIONS; i++) {
    const baseline = latencies(random, n, 1, spikes);
    const canary = latencies(random, n, slowdown, spikes);
    decisions[judgeCanary([], [{ name: 'latency', unit: 'ms', better: 'lower', baseline, canary }]).decision]++;
  }
  const rate = (count: number): string => `${((100 * count) / REPETITIONS).toFixed(1)} %`;
  console.log(
    `n=${n}/side, canary ${slowdown}×, spikes ${spikes * 100} %: rollback ${rate(decisions.rollback)}, hold ${rate(decisions.hold)}, promote ${rate(decisions.promote)} (${REPETITIONS} runs)`,
  );
  return decisions;
}

describe('canary judge calibration (seeded simulation)', () => {
  for (const spikes of [0, 0.05]) {
    for (const n of [20, 50]) {
      it(`A/A with noisy samples (n=${n}, spikes ${spikes * 100} %) does not roll back in ≥ 95 % of runs`, () => {
        const decisions = simulate(1000 + n, n, 1, spikes);
        expect(decisions.rollback / REPETITIONS).toBeLessThanOrEqual(0.05);
      });
    }

    it(`a 1.5× slower canary with n=20 (spikes ${spikes * 100} %) rolls back in ≥ 90 % of runs`, () => {
      const decisions = simulate(2000, 20, 1.5, spikes);
      expect(decisions.rollback / REPETITIONS).toBeGreaterThanOrEqual(0.9);
      expect(decisions.promote / REPETITIONS).toBeLessThanOrEqual(0.01);
    });
  }
});
