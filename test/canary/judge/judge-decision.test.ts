import { describe, expect, it } from 'vitest';
import { CANARY_EXIT_CODES, judgeCanary } from '../../../tasks/lib/canary/judge/judge.ts';
import type { GateOutcome, MetricInput } from '../../../tasks/lib/canary/judge/judge-types.ts';

/** n evenly spread values around `centre` (±10 %): deterministic, no ties within a side. */
function spread(n: number, centre: number, width = 0.2): number[] {
  return Array.from({ length: n }, (_, i) => centre * (1 - width / 2 + (width * (i + 0.5)) / n));
}

const latency = (baseline: number[], canary: number[], extra: Partial<MetricInput> = {}): MetricInput => ({ name: 'latency', unit: 'ms', better: 'lower', baseline, canary, ...extra });
const gate = (baseline: GateOutcome['baseline'], canary: GateOutcome['canary'], extra: Partial<GateOutcome> = {}): GateOutcome => ({ name: 'first message after idle', baseline, canary, ...extra });

describe('judgeCanary: decisions', () => {
  it('promotes when every gate passes and an identical metric shows no difference', () => {
    const judgement = judgeCanary([gate('pass', 'pass')], [latency(spread(20, 100), spread(20, 100))]);
    expect(judgement.decision).toBe('promote');
    expect(judgement.score).toBe(1);
    expect(judgement.metrics[0]?.verdict).toBe('pass');
    expect(judgement.metrics[0]?.p).toBe(1);
    expect(judgement.reasons[0]).toMatch(/^promote: 1 gate pass on the canary, 1\/1 metrics pass/);
  });

  it('rolls back on a gate that passes on the baseline and fails on the canary, naming it', () => {
    const judgement = judgeCanary([gate('pass', 'fail'), { name: 'close while dead', baseline: 'pass', canary: 'pass' }], [latency(spread(20, 100), spread(20, 100))]);
    expect(judgement.decision).toBe('rollback');
    expect(judgement.reasons[0]).toBe('gate "first message after idle" regressed: passes on the baseline, fails on the canary');
  });

  it('rolls back when the canary gives no data for a gate the baseline passes', () => {
    const judgement = judgeCanary([gate('pass', 'no-data')], []);
    expect(judgement.decision).toBe('rollback');
    expect(judgement.reasons[0]).toMatch(/gives no data on the canary/);
  });

  it("holds when a gate fails on both sides: not the canary's fault, but not shown fine either", () => {
    const judgement = judgeCanary([gate('fail', 'fail')], [latency(spread(20, 100), spread(20, 100))]);
    expect(judgement.decision).toBe('hold');
    expect(judgement.reasons[0]).toMatch(/fails on both sides: the probe or its budget does not fit this subject/);
  });

  it('holds, never rolls back, when a critical gate fails on both sides (an A/A whose budget does not fit the subject)', () => {
    const judgement = judgeCanary([gate('fail', 'fail', { critical: true })], [latency(spread(20, 100), spread(20, 100))]);
    expect(judgement.decision).toBe('hold');
    expect(judgement.reasons[0]).toMatch(/^critical gate "first message after idle" fails on both sides: the probe or its budget does not fit this subject/);
  });

  // A budget that cuts through the subject's own timing (noticing a dead path takes 0.5–1 s with
  // 0.5 s pings and a 0.5 s pong timeout; --detect-within 0.2 allows 0.75 s) passes or fails each
  // side by chance: the baseline passing only within the allowance is no evidence against the canary.
  it('holds, not rolls back, when the baseline passed a timing gate only within the allowance and the canary failed it', () => {
    const judgement = judgeCanary([gate('pass', 'fail', { critical: true, baselineMarginal: '712 ms against a budget of 200 ms' })], [latency(spread(20, 100), spread(20, 100))]);
    expect(judgement.decision).toBe('hold');
    expect(judgement.reasons[0]).toMatch(/passes on the baseline only within the allowance \(712 ms against a budget of 200 ms\) and fails on the canary: the budget does not fit this subject/);
    expect(judgeCanary([gate('pass', 'fail', { critical: true })], []).decision).toBe('rollback');
  });

  it('rolls back when a critical gate fails on the canary and the baseline gave no data for it', () => {
    expect(judgeCanary([gate('no-data', 'fail', { critical: true })], []).decision).toBe('rollback');
  });

  it('holds on a gate with no data on either side: no data is never a pass', () => {
    const judgement = judgeCanary([gate('no-data', 'no-data')], []);
    expect(judgement.decision).toBe('hold');
    expect(judgement.reasons[0]).toMatch(/no data is never a pass/);
  });

  it('promotes a canary that fixes a gate the baseline fails, and notes it', () => {
    const judgement = judgeCanary([gate('fail', 'pass')], []);
    expect(judgement.decision).toBe('promote');
    expect(judgement.reasons.join('\n')).toMatch(/passes on the canary \(baseline: fail\)/);
  });

  it('rolls back on a decisive regression: 1.5× slower with n=20', () => {
    const judgement = judgeCanary([gate('pass', 'pass')], [latency(spread(20, 100), spread(20, 150))]);
    const verdict = judgement.metrics[0];
    expect(verdict?.verdict).toBe('fail');
    expect(verdict?.decisive).toBe(true);
    expect(verdict?.ratio).toBeCloseTo(1.5, 12);
    expect(verdict?.p).toBeLessThan(0.001);
    expect(verdict?.shift?.low).toBeGreaterThan(10);
    expect(judgement.decision).toBe('rollback');
    expect(judgement.reasons[0]).toMatch(/^metric "latency" failed decisively: 1\.50× worse/);
  });

  it('a critical metric that fails vetoes promotion even when the fail alone is not decisive', () => {
    // 1.12× slower with n=50 and a wide spread: significant, beyond the 1.10 floor, interval reaching below it.
    const baseline = spread(50, 100, 0.3);
    const canary = spread(50, 112, 0.3);
    const plain = judgeCanary([], [latency(baseline, canary)]);
    expect(plain.metrics[0]?.verdict).toBe('fail');
    expect(plain.metrics[0]?.decisive).toBe(false);
    expect(plain.decision).toBe('hold');
    const critical = judgeCanary([], [latency(baseline, canary, { critical: true })]);
    expect(critical.decision).toBe('rollback');
    expect(critical.reasons[0]).toMatch(/^critical metric "latency" failed \(veto\)/);
  });

  it('promotes a significant shift smaller than the floor: noise', () => {
    const judgement = judgeCanary([], [latency(spread(50, 100, 0.05), spread(50, 104, 0.05))]);
    const verdict = judgement.metrics[0];
    expect(verdict?.p).toBeLessThan(0.001);
    expect(verdict?.verdict).toBe('pass');
    expect(verdict?.reason).toMatch(/significantly worse .* but 1\.04× is within the 1\.10× floor: noise/);
    expect(judgement.decision).toBe('promote');
  });

  it('holds when worse beyond the floor but n is too small to be significant, and says why', () => {
    const judgement = judgeCanary([], [latency([100, 101, 102], [150, 151, 152])]);
    const verdict = judgement.metrics[0];
    expect(verdict?.verdict).toBe('inconclusive');
    expect(verdict?.reason).toMatch(/n=3\/3 cannot reach p < 0\.05 \(smallest possible p = 0\.1\); use n ≥ 20 per side/);
    expect(judgement.decision).toBe('hold');
  });

  it('holds when worse beyond the floor but not significant at a usable n', () => {
    const baseline = spread(10, 100, 1.2);
    const canary = spread(10, 115, 1.2);
    const verdict = judgeCanary([], [latency(baseline, canary)]).metrics[0];
    expect(verdict?.verdict).toBe('inconclusive');
    expect(verdict?.reason).toMatch(/not significant \(p = [\d.]+, n=10\/10\): more samples needed/);
  });

  it('fails a widening spread the rank test misses: tail confirmed by the exceedance test', () => {
    // Same median; the canary's slowest quarter is 2× slower.
    const baseline = spread(40, 100);
    const canary = spread(40, 100).map((value, index) => (index >= 30 ? value * 2 : value));
    const verdict = judgeCanary([], [latency(baseline, canary)]).metrics[0];
    expect(verdict?.p).toBeGreaterThan(0.05);
    expect(verdict?.verdict).toBe('fail');
    expect(verdict?.tail?.ratio).toBeGreaterThan(1.25);
    expect(verdict?.tail?.p).toBeLessThan(0.025);
    expect(verdict?.reason).toMatch(/^tail p95 [\d.]+× worse \(10 canary values beyond/);
  });

  it('takes the direction from `better`: lower tokens/s is worse, higher is better', () => {
    const tokens = (canaryCentre: number): MetricInput => ({ name: 'tokens/s', unit: 'tokens/s', better: 'higher', baseline: spread(20, 100), canary: spread(20, canaryCentre) });
    const slower = judgeCanary([], [tokens(60)]);
    expect(slower.metrics[0]?.verdict).toBe('fail');
    expect(slower.metrics[0]?.tail?.quantile).toBeCloseTo(0.05, 12);
    expect(slower.decision).toBe('rollback');
    const faster = judgeCanary([], [tokens(150)]);
    expect(faster.metrics[0]?.verdict).toBe('pass');
    expect(faster.metrics[0]?.reason).toMatch(/^significantly better/);
  });

  it('score is the share of metrics that pass; minScore below 1 tolerates an inconclusive one among many', () => {
    const metrics = [
      ...Array.from({ length: 9 }, (_, i) => latency(spread(20, 100), spread(20, 100), { name: `m${i}` })),
      latency([100, 101, 102], [150, 151, 152], { name: 'small' }),
    ];
    const strict = judgeCanary([], metrics);
    expect(strict.score).toBeCloseTo(0.9, 12);
    expect(strict.decision).toBe('hold');
    const lenient = judgeCanary([], metrics, { minScore: 0.9 });
    expect(lenient.decision).toBe('promote');
    expect(lenient.reasons.join('\n')).toMatch(/tolerated \(score 9\/10 ≥ 0\.9\): metric "small" inconclusive/);
    expect(judgeCanary([], metrics, { minScore: 0.95 }).decision).toBe('hold');
  });

  it('maps decisions to exit codes: promote 0, rollback 1, hold 4', () => {
    expect(CANARY_EXIT_CODES).toEqual({ promote: 0, rollback: 1, hold: 4 });
  });
});
