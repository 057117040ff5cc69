import { describe, expect, it } from 'vitest';
import { judgeCanary } from '../../../tasks/lib/canary/judge/judge.ts';
import { judgementToJunitCases } from '../../../tasks/lib/canary/judge/judgement-junit.ts';
import { renderJudgementTable } from '../../../tasks/lib/canary/judge/judgement-table.ts';
import type { MetricInput } from '../../../tasks/lib/canary/judge/judge-types.ts';

const spread = (n: number, centre: number): number[] => Array.from({ length: n }, (_, i) => centre * (0.9 + (0.2 * (i + 0.5)) / n));
const metric = (name: string, baseline: number[], canary: number[], extra: Partial<MetricInput> = {}): MetricInput => ({ name, unit: 'ms', better: 'lower', baseline, canary, ...extra });

const judgement = judgeCanary(
  [
    { name: 'first message after idle', baseline: 'pass', canary: 'fail', detail: 'no answer within 5 s', critical: true },
    { name: 'close while path dead', baseline: 'fail', canary: 'fail' },
    { name: 'buffered before close', baseline: 'pass', canary: 'pass' },
  ],
  [
    metric('ttft', spread(20, 100), spread(20, 150)),
    metric('stale-path detection', [9000, 9100], [9050, 16000], { critical: true }),
    metric('request latency', spread(20, 10), spread(20, 10)),
    metric('reconnect\u001b[31m', [1, 2], []),
  ],
);

describe('renderJudgementTable', () => {
  const text = renderJudgementTable(judgement);

  it('lists every gate with both sides and its outcome', () => {
    expect(text).toMatch(/first message after idle \(critical\)\s+pass\s+fail\s+REGRESSED\s+no answer within 5 s/);
    expect(text).toMatch(/close while path dead\s+fail\s+fail\s+fails on both/);
    expect(text).toMatch(/buffered before close\s+pass\s+pass\s+pass/);
  });

  it('has one row per metric with n, medians, ratio, interval, p, tail and verdict, and its reason below', () => {
    const lines = text.split('\n');
    const header = lines.find((line) => line.startsWith('metric '));
    expect(header).toMatch(/metric\s+n b\/c\s+median baseline\s+median canary\s+ratio\s+shift c−b \[interval\]\s+p\s+tail\s+verdict/);
    const ttft = lines.findIndex((line) => line.startsWith('ttft '));
    expect(lines[ttft]).toMatch(/^ttft \(lower is better\)\s+20\/20\s+100 ms\s+150 ms\s+1\.50×\s+50 \[[\d.]+, [\d.]+\] 95%\s+<0\.0001\s+p95 [\d.]+ → [\d.]+ \(1\.50×\)\s+FAIL$/);
    expect(lines[ttft + 1]).toMatch(/^ {4}↳ 1\.50× worse \(median 150 ms vs 100 ms, p < 0\.0001\)/);
    expect(text).toMatch(/stale-path detection \(critical, lower is better\)\s+2\/2 .* inconclusive/);
    expect(text).toMatch(/request latency \(lower is better\)\s+20\/20 .* pass/);
  });

  it('clips a long gate detail to keep rows on screen', () => {
    const long = renderJudgementTable(judgeCanary([{ name: 'g', baseline: 'pass', canary: 'pass', detail: 'x'.repeat(200) }], []));
    expect(long).toContain(`${'x'.repeat(89)}…`);
    expect(long).not.toContain('x'.repeat(90));
  });

  it('shows no-data rows with dashes and keeps control characters off the screen', () => {
    expect(text).toMatch(/reconnect \[31m \(lower is better\)\s+2\/0\s+1\.5 ms\s+–\s+–\s+–\s+–\s+–\s+NO DATA/);
    expect(text).not.toContain('\u001b');
  });

  it('ends with the decision, its exit code, the score and the reasons', () => {
    expect(text).toContain('Decision: ROLLBACK (exit 1; score 1/4 metrics pass = 0.25)');
    expect(text).toContain('  - gate "first message after idle" regressed: passes on the baseline, fails on the canary');
  });
});

describe('judgementToJunitCases', () => {
  const cases = judgementToJunitCases(judgement);

  it('gives one case per gate and per metric, in order', () => {
    expect(cases.map((entry) => entry.name)).toEqual([
      'gate: first message after idle',
      'gate: close while path dead',
      'gate: buffered before close',
      'metric: ttft',
      'metric: stale-path detection',
      'metric: request latency',
      'metric: reconnect\u001b[31m',
    ]);
  });

  it('maps outcomes: regression and no data fail with named codes, inconclusive is skipped, pass passes', () => {
    expect(cases.map((entry) => [entry.verdict, entry.code])).toEqual([
      ['fail', 'CANARY_REGRESSION'],
      ['fail', 'CANARY_GATE_FAILED'],
      ['pass', undefined],
      ['fail', 'CANARY_METRIC_FAILED'],
      ['skip', 'CANARY_INCONCLUSIVE'],
      ['pass', undefined],
      ['fail', 'CANARY_NO_DATA'],
    ]);
    expect(cases[1]?.detail).toMatch(/not the canary’s fault/);
    expect(cases[3]?.evidence).toMatchObject({ metric: { ratio: 1.5, n: { baseline: 20, canary: 20 } } });
    expect(cases[3]?.detail).toMatch(/^n 20\/20, median 100 ms → 150 ms \(1\.50×\), p < 0\.0001: 1\.50× worse/);
    expect(cases[4]?.detail).toMatch(/^inconclusive: n 2\/2, /);
  });
});
