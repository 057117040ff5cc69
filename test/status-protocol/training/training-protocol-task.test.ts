import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runTaskCli } from '../../helpers/run-task-cli.ts';
import { check, verdicts } from '../run-status-task.ts';
import { expectNothingLeft, runTrainingTask, TRAINING_ALL_PASS, type TrainingTaskRun } from './run-training-task.ts';
import { programCommand } from '../../helpers/program-command.ts';

/**
 * The default run (80 steps) is the one that checks the defaults; the other runs use a 2 s job
 * (--steps 40): what they check shows at any job length, and a run lasts as long as its job.
 */
describe('status-protocol:test --protocol training against the reference training server', () => {
  let run: TrainingTaskRun;
  beforeAll(async () => {
    run = await runTrainingTask([]);
  });

  it('passes every check, exits 0, and leaves neither the server nor its trainer running', () => {
    expect(run.exitCode, run.output).toBe(0);
    expect(verdicts(run.report)).toEqual(TRAINING_ALL_PASS);
    expect(run.report.settings).toMatchObject({ protocol: 'training', server: 'reference', job: 'job_hivecheck', clients: 3, maxConnections: 10 });
    expectNothingLeft(run);
  });

  it('reports what it observed: refusals with their reasons, the count coming down, the cap, the figures', () => {
    expect(check(run.report, 'unknown job').detail).toMatch(/^accepted, then closed 1008 "Job not found: hivecheck-missing-[0-9a-f]{6}"/);
    expect(check(run.report, 'client disconnect').evidence).toMatchObject({ countBefore: { count: 4 }, countAfter: 3 });
    expect(check(run.report, 'connection cap').evidence).toMatchObject({ cap: 10, countedBefore: 3, accepted: 7, refusedAt: 11 });
    expect(check(run.report, 'connection cap').detail).toContain('closed 1013 "Connection limit reached for job job_hivecheck (10 per job)"');
    const schema = check(run.report, 'message schema');
    // 80 running + completed each; a busy server may read two trainer writes at once and stream the latest.
    // The clients connect one after another: one that joined before an update the others missed has
    // that message more at the start (seen beside two busy loops), and the sequences then agree.
    const perClient = schema.evidence.messagesPerClient as number[];
    const sequences = check(run.report, 'identical sequences').evidence as { common: number; skippedAtStart: number[] };
    expect(perClient.map((count, i) => count - (sequences.skippedAtStart[i] ?? 0))).toEqual([sequences.common, sequences.common, sequences.common]);
    const received = sequences.common;
    expect(received).toBeGreaterThanOrEqual(60);
    expect(received).toBeLessThanOrEqual(81);
    const total = perClient.reduce((sum, count) => sum + count, 0);
    const latency = check(run.report, 'end-to-end latency');
    expect(latency.evidence).toMatchObject({ source: 'trainer-stamps', samples: total });
    expect(latency.detail).toContain("measured: trainer's progress.json write (trainer_updated_at) → client receipt");
    const interval = check(run.report, 'update interval');
    expect(interval.evidence.gaps).toBe(total - 3);
    expect(interval.evidence.largestGapMs as number).toBeLessThanOrEqual(1000);
    expect(check(run.report, 'identical sequences').detail).toMatch(/^3 clients received the same \d+ messages in the same order/);
    expect(check(run.report, 'final message and close').detail).toMatch(/^all 3 clients got the completed message last, then close 1000/);
    expect(check(run.report, 'REST fallback').detail).toMatch(/^mid-stream: REST running step \d+ between streamed \d+ and \d+ .*after the end: REST completed, as streamed$/);
  });

  it('records every frame of every client on the run timeline, lane ws:<client>', () => {
    const lanes = new Set(run.report.timeline.events.map((event) => event.lane));
    for (const lane of ['ws:client-1', 'ws:client-2', 'ws:client-3', 'ws:leaver', 'ws:unknown-job', 'ws:cap-11', 'process:training-server']) expect(lanes, lane).toContain(lane);
    const frames = run.report.timeline.events.filter((event) => event.lane === 'ws:client-1' && event.kind === 'frame');
    const running = check(run.report, 'message schema').evidence.messagesPerClient as number[];
    expect(frames.filter((event) => String(event.label).startsWith('running ')).length).toBe((running[0] as number) - 1);
    expect(frames.at(-1)?.label).toMatch(/^closed 1000/);
  });
});

describe('status-protocol:test --protocol training: usage errors (exit 2, nothing started)', () => {
  it.each([
    [['--url', 'ws://127.0.0.1:9'], /--job <id> is required with --url or --server-cmd/],
    [['--keepalive', '5'], /--keepalive belongs to the policy protocol/],
    [['--fault', 'buggy-periodic'], /--fault buggy-periodic is not a training fault/],
    // The fix names the same number as the message (the smallest cap that works: a run with it passes).
    [['--clients', '10'], /--clients 10 needs --max-connections 11 or more: .*\n.*fix: pass --max-connections 11 or more \(/],
    [['--url', 'ws://127.0.0.1:9', '--job', 'j', '--steps', '5'], /--steps sets up the reference training server/],
  ])('%j', async (args, message) => {
    const run = await runTrainingTask(args);
    expect(run.exitCode, run.output).toBe(2);
    expect(run.output).toMatch(message);
    expect(run.pids).toEqual([]);
  });

  it('the cap the usage error names is enough: --clients 3 --max-connections 4 passes every check', async () => {
    const run = await runTrainingTask(['--clients', '3', '--max-connections', '4', '--steps', '40']);
    expect(run.exitCode, run.output).toBe(0);
    expect(verdicts(run.report)).toEqual(TRAINING_ALL_PASS);
    expect(check(run.report, 'connection cap').detail).toMatch(/^connection #5 refused \(cap 4;/);
  }, 120_000);

  it('a training flag with the policy protocol is refused too', async () => {
    const run = await runStatusTaskPolicy(['--clients', '5']);
    expect(run.exitCode).toBe(2);
    expect(run.output).toContain('--clients belongs to --protocol training');
  });
});

async function runStatusTaskPolicy(args: readonly string[]): Promise<TrainingTaskRun> {
  const { runStatusTask } = await import('../run-status-task.ts');
  return { ...(await runStatusTask(args)), trainerPids: [] };
}

describe('status-protocol:test --protocol training against another server (--server-cmd)', () => {
  it('estimates the latency from the message timestamps, and says so', async () => {
    const run = await runTrainingTask(['--server-cmd', `${programCommand('training-server')} --port {port} --job-id job_abc123 --steps 40`, '--job', 'job_abc123']);
    expect(run.exitCode, run.output).toBe(0);
    expect(run.report.settings).toMatchObject({ server: 'server-cmd', job: 'job_abc123' });
    const latency = check(run.report, 'end-to-end latency');
    expect(latency.evidence).toMatchObject({ source: 'message-timestamps', resolutionMs: 1 });
    expect(latency.detail).toContain("estimated from message timestamps (server send → client; assumes the server's clock agrees with this machine's)");
    expectNothingLeft(run);
  });
});

describe('status-protocol:test --protocol training as its own process', () => {
  it('prints no MaxListenersExceededWarning: each of the 11 streams open at once listens on its own signal, not on the shutdown signal', async () => {
    const run = await runTaskCli(['status-protocol:test', '--protocol', 'training', '--steps', '40', '--report', mkdtempSync(join(tmpdir(), 'hivecheck-training-cli-'))]);
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/connection #11 refused \(cap 10/);
    expect(run.stderr).not.toMatch(/MaxListenersExceededWarning|memory leak/);
  }, 120_000);
});
