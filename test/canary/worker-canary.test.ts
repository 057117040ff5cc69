import { afterAll, describe, expect, it } from 'vitest';
import { liveGuards } from '../../tasks/lib/process/guard-registry.ts';
import { liveGroups, startedPids } from '../helpers/process-lanes.ts';
import { runTask } from '../helpers/run-task-in-process.ts';
import { referenceWorkerBase } from '../../tasks/worker-test/reference-worker.ts';

interface CanarySection {
  decision: string;
  gates: Array<{ name: string; baseline: string; canary: string; detail?: string }>;
  metrics: Array<{ name: string; replicates?: { pairs: Array<{ replicate: number }>; compared: number } }>;
  samples: Array<{ name: string; baseline: number[]; canary: number[]; replicates?: { baseline: number[]; canary: number[] } }>;
}

describe('canary:check --kind worker (real reference workers)', () => {
  afterAll(() => expect(liveGuards()).toEqual([]));

  it('with --replicas 2 starts a fresh baseline and canary worker per round, tags the samples with the round, and leaves nothing running', async () => {
    const run = await runTask(['canary:check', '--kind', 'worker', '--aa', '--replicas', '2', '--samples', '6']);
    const canary = (run.report as unknown as { canary?: CanarySection }).canary;
    expect(canary, run.output).toBeDefined();
    const section = canary as CanarySection;
    expect(run.exitCode).toBe({ promote: 0, rollback: 1, hold: 4 }[section.decision]);
    // the worker:test gates ran on round 1's pair and pass on both sides (the same worker)
    expect(section.gates.filter((gate) => gate.baseline !== 'pass' || gate.canary !== 'pass')).toEqual([]);
    expect(section.gates.map((gate) => gate.name)).toContain('worker:test health');
    // two worker processes per side (one per round), each under its guard, all gone
    const baseline = startedPids(run.report, 'baseline-worker');
    const canaryPids = startedPids(run.report, 'canary-worker');
    expect(baseline).toHaveLength(2);
    expect(canaryPids).toHaveLength(2);
    expect(new Set([...baseline, ...canaryPids]).size).toBe(4);
    expect(liveGroups([...baseline, ...canaryPids])).toEqual([]);
    expect(section.gates.find((gate) => gate.name === 'worker:test teardown')?.detail).toMatch(/^baseline: 2 workers \(one per round\): .*\| canary: 2 workers \(one per round\)/);
    // the samples carry their round: 3 from each round's pair, and the judge compared 2 process pairs
    const latency = section.samples.find((metric) => metric.name === 'inference latency');
    expect(latency?.replicates).toEqual({ baseline: [1, 1, 1, 2, 2, 2], canary: [1, 1, 1, 2, 2, 2] });
    expect(section.metrics.find((metric) => metric.name === 'inference latency')?.replicates).toMatchObject({ compared: 2, pairs: [{ replicate: 1 }, { replicate: 2 }] });
    expect(run.report.settings).toMatchObject({ replicas: 2 });
    expect(run.output).toMatch(/Round 2\/2: a fresh baseline and canary worker/);
  });

  // llama-server speaks another protocol than the seed: /health {"status":"ok"}, /completion, no heartbeats.
  const llamaServer = `${referenceWorkerBase().join(' ')} --api llama-server --port {port} --model {model} --model-ref {modelRef} --worker-id {workerId} --threads 1 --local-mode`;

  // The two llama-server runs side by side: neither has a timing gate (the profile has no heartbeats,
  // and the first stops at the health check); the seed-profile run above, with its heartbeat interval
  // gate, runs alone.
  it.concurrent('two llama-servers under the default seed profile: a config error naming --profile (exit 2), not a hold with every metric NO DATA', async () => {
    const run = await runTask(['canary:check', '--kind', 'worker', '--baseline', llamaServer, '--aa', '--replicas', '2', '--samples', '6']);
    expect(run.exitCode, run.output.slice(-3000)).toBe(2);
    expect(run.report.error).toMatchObject({ code: 'CANARY_PROFILE_MISMATCH', message: expect.stringMatching(/both workers fail worker:test's health check under --profile seed/), hint: expect.stringMatching(/--profile llama-server/) });
    expect(run.output).not.toMatch(/Round 2\/2/);
  });

  it.concurrent("with worker:test's --profile llama-server the same pair is compared: every gate passes on both sides, heartbeats are skipped (the profile has none)", async () => {
    const run = await runTask(['canary:check', '--kind', 'worker', '--profile', 'llama-server', '--baseline', llamaServer, '--aa', '--replicas', '2', '--samples', '6']);
    const section = (run.report as unknown as { canary?: CanarySection & { skipped?: Array<{ name: string }> } }).canary as CanarySection & { skipped?: Array<{ name: string }> };
    expect(section, run.output.slice(-3000)).toBeDefined();
    expect(section.decision).not.toBe('rollback');
    expect(section.gates.filter((gate) => gate.baseline !== 'pass' || gate.canary !== 'pass'), run.output.slice(-3000)).toEqual([]);
    expect(section.gates.map((gate) => gate.name)).toEqual(expect.arrayContaining(['worker:test health', 'worker:test inference SSE POST /completion']));
    expect(section.skipped?.map((skip) => skip.name)).toEqual(['worker:test heartbeats']);
    expect(section.metrics.map((metric) => metric.name)).toEqual(['TTFT', 'inference latency', 'tokens/s']);
  });
});
