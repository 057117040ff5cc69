/**
 * --bench's client generation rate against a stream that arrives in one write (a buffering proxy
 * in front of llama-server; the reference worker's --fault buffered-stream): no rate, said so.
 */
import { describe, expect, it } from 'vitest';
import type { TimingAgreement } from '../../tasks/lib/worker/timing-agreement.ts';
import { checkNamed, runTask } from '../helpers/run-task-in-process.ts';

describe('a stream whose events arrive in one read', () => {
  it('gives no client generation rate, and the bench says why', async () => {
    const run = await runTask(['worker:test', '--profile', 'llama-server', '--stream', 'sse', '--bench', '--bench-requests', '3', '--worker-arg=--fault=buffered-stream', '--timeout', '120']);
    expect(run.exitCode, run.output).toBe(0);
    const bench = checkNamed(run.report, 'benchmark');
    const agreement = (bench.evidence.bench as { agreement: TimingAgreement }).agreement;
    expect(agreement.requests).toBe(3);
    expect(agreement.generationBunched).toBe(3);
    expect(agreement.generationTimed).toBe(0);
    expect(bench.detail).toMatch(/generation: n\/a \(every stream arrived too bunched to give a rate: the token events came in too few reads to time the generation\)$/);
  });
});
