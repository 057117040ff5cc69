import { describe, expect, it } from 'vitest';
import { check, verdicts } from '../run-status-task.ts';
import { expectNothingLeft, runTrainingTask, TRAINING_ALL_PASS } from './run-training-task.ts';

/**
 * A 2 s job (40 steps of 0.05 s) for the faults that show at any job length: the checks that act on
 * a running job (disconnect, cap) are done within a few updates of the first message. The faults
 * that need time keep the 80-step default: slow-updates (gaps of 1.3 s), leak (the 3 s the count is
 * given to come down, with the cap check after it), the crashes (at step 40).
 */
const SHORT_JOB = ['--steps', '40'];

/** Every check passes except these (the rest of the run is unharmed by the fault). */
function expectOnly(run: { report: Parameters<typeof verdicts>[0]; output: string }, changed: Record<string, 'fail' | 'skip'>): void {
  expect(verdicts(run.report), run.output).toEqual({ ...TRAINING_ALL_PASS, ...changed });
}

/**
 * Each fault mode of the reference training server fails exactly the check it should, with the
 * evidence that shows it, exit 1, and neither the server nor its trainer left running.
 */
describe('status-protocol:test --protocol training --fault', () => {
  it('slow-updates: the update interval fails with the largest gap and the p95', async () => {
    const run = await runTrainingTask(['--fault', 'slow-updates']);
    expect(run.exitCode, run.output).toBe(1);
    expectOnly(run, { 'update interval': 'fail' });
    const interval = check(run.report, 'update interval');
    expect(interval.code).toBe('UPDATE_GAP_ABOVE_LIMIT');
    expect(interval.evidence.largestGapMs as number).toBeGreaterThan(1000); // the trainer logs every 1.3 s
    expect(interval.evidence.overLimit as number).toBeGreaterThan(0);
    expect(interval.detail).toMatch(/largest gap \S+ s \(client-\d #\d+ → #\d+\), p95 \S+ s over \d+ gaps: \d+ gap\(s\) above the limit of 1\.00 s/);
    expectNothingLeft(run);
  });

  it('drop-completion: the final-message check fails, the job outcome is skipped', async () => {
    const run = await runTrainingTask(['--fault', 'drop-completion', ...SHORT_JOB]);
    expect(run.exitCode, run.output).toBe(1);
    expectOnly(run, { 'final message and close': 'fail', 'job outcome': 'skip' });
    const final = check(run.report, 'final message and close');
    expect(final.code).toBe('FINAL_MESSAGE_MISSING');
    // Said once for all the clients, the last message cut at a field boundary (not mid-key).
    expect(final.detail).toMatch(/^all 3 clients got no completed\/failed message \(the stream closed 1000 "job completed" after \d+ messages; the last: \{"job_id":"job_hivecheck","status":"running".*, … \d+ more fields?\}\)$/);
    expect(final.detail.match(/got no completed/g)).toHaveLength(1);
    expectNothingLeft(run);
  });

  it('leak: the disconnect check fails on the connection count that never comes down', async () => {
    const run = await runTrainingTask(['--fault', 'leak']);
    expect(run.exitCode, run.output).toBe(1);
    expectOnly(run, { 'client disconnect': 'fail' });
    const disconnect = check(run.report, 'client disconnect');
    expect(disconnect.code).toBe('CONNECTION_LEAK');
    expect(disconnect.evidence).toMatchObject({ countBefore: { count: 4 }, countAfter: 4, expected: 3, countSource: 'GET /jobs/job_hivecheck .websocket_connections' });
    // The other clients were not disturbed: they kept streaming.
    expect((disconnect.evidence.others as { ok: boolean }[]).every((other) => other.ok)).toBe(true);
    expectNothingLeft(run);
  });

  it('wrong-schema: the schema check fails, naming the fraction progress and the naive timestamps', async () => {
    const run = await runTrainingTask(['--fault', 'wrong-schema', ...SHORT_JOB]);
    expect(run.exitCode, run.output).toBe(1);
    expectOnly(run, { 'message schema': 'fail' });
    const schema = check(run.report, 'message schema');
    expect(schema.code).toBe('SCHEMA_VIOLATION');
    expect(schema.detail).toMatch(/progress 0\.\d+ does not match the steps: \d+\/40 is \d+\.\d+%/);
    expect(schema.detail).toMatch(/timestamp is "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}", not an ISO-8601 UTC time/);
    expect(schema.evidence.clientsAffected).toEqual(['client-1', 'client-2', 'client-3']);
    // The fix says what to change for each kind seen.
    expect(schema.hint).toContain('write timestamps in ISO-8601 UTC with the zone, like 2025-11-06T12:30:00Z');
    expect(schema.hint).toContain('send progress as a percentage, 0–100 (current_step / total_steps × 100), not as a fraction 0–1');
    expect(schema.hint).not.toContain('first other problem');
    expectNothingLeft(run);
  });

  it('trainer-crash: every client gets "failed" and a normal close; the job outcome fails with the error', async () => {
    const run = await runTrainingTask(['--fault', 'trainer-crash']);
    expect(run.exitCode, run.output).toBe(1);
    expectOnly(run, { 'job outcome': 'fail' });
    const outcome = check(run.report, 'job outcome');
    expect(outcome.code).toBe('JOB_FAILED');
    expect(outcome.detail).toContain('Training process terminated unexpectedly (exit code 1)');
    expect(check(run.report, 'final message and close').detail).toMatch(/^all 3 clients got the failed message last, then close 1000/);
    expect(check(run.report, 'REST fallback').detail).toContain('after the end: REST failed, as streamed');
    expectNothingLeft(run);
  });

  it('silent-crash: the stream stall fails by name (not silence forever), the final checks are skipped', async () => {
    const run = await runTrainingTask(['--fault', 'silent-crash', '--message-timeout', '2']);
    expect(run.exitCode, run.output).toBe(1);
    expectOnly(run, { 'stream stall': 'fail', 'final message and close': 'skip', 'job outcome': 'skip' });
    const stall = check(run.report, 'stream stall');
    expect(stall.code).toBe('STREAM_STALLED');
    expect(stall.detail).toMatch(/the client-\d stream stalled: no message for 2\.\d+ s \(the per-message timeout is 2\.00 s\) while waiting for the next message; the job was running at step 39\/80; the socket was still open/);
    expect(stall.evidence).toMatchObject({ diagnosis: 'stream-stalled', closeCode: null });
    expectNothingLeft(run);
  });

  it('no-connection-cap: the cap check fails, having held one connection more than the cap', async () => {
    const run = await runTrainingTask(['--fault', 'no-connection-cap', ...SHORT_JOB]);
    expect(run.exitCode, run.output).toBe(1);
    expectOnly(run, { 'connection cap': 'fail' });
    const cap = check(run.report, 'connection cap');
    expect(cap.code).toBe('CONNECTION_CAP_NOT_ENFORCED');
    expect(cap.evidence).toMatchObject({ cap: 10, countedBefore: 3, accepted: 8, refusal: null });
    expect(cap.detail).toContain('the server accepted connection #11 on job job_hivecheck, above the cap of 10');
    expectNothingLeft(run);
  });
});
