import { afterAll, describe, expect, it } from 'vitest';
import { liveGuards } from '../../tasks/lib/process/guard-registry.ts';
import { runTask } from '../helpers/run-task-in-process.ts';

interface CanarySection {
  decision: string;
  gates: Array<{ name: string; baseline: string; canary: string }>;
  metrics: Array<{ name: string; verdict: string; lost?: unknown }>;
  samples: Array<{ name: string; baseline: number[]; canary: number[] }>;
}

describe('canary:check --kind policy (the built-in policy servers)', () => {
  afterAll(() => expect(liveGuards()).toEqual([]));

  it('A/A: every gate passes on both sides and every metric has its samples on both sides (inference latency once had none: a check had closed the session it was sampled on)', async () => {
    const run = await runTask(['canary:check', '--kind', 'policy', '--aa', '--samples', '10']);
    const section = (run.report as unknown as { canary?: CanarySection }).canary;
    expect(section, run.output).toBeDefined();
    const canary = section as CanarySection;
    expect(run.exitCode).toBe({ promote: 0, rollback: 1, hold: 4 }[canary.decision]);
    expect(canary.decision).not.toBe('rollback');
    expect(canary.gates.filter((gate) => gate.baseline !== 'pass' || gate.canary !== 'pass')).toEqual([]);
    expect(canary.gates.map((gate) => gate.name)).toContain('status-protocol:test another model while one is in use');
    const counts = Object.fromEntries(canary.samples.map((metric) => [metric.name, [metric.baseline.length, metric.canary.length]]));
    // 10 observations a side; the checks' own cold start plus 8 more a side.
    expect(counts).toEqual({ 'inference latency': [10, 10], 'cold start to ready': [9, 9], 'largest status gap': [9, 9] });
    expect(canary.metrics.filter((metric) => metric.lost !== undefined || metric.verdict === 'no-data')).toEqual([]);
  });
});
