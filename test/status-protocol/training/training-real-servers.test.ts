import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { http } from '../../../tasks/lib/http/http-client.ts';
import { ProcessGuard } from '../../../tasks/lib/process/process-guard.ts';
import { launchPolicyServer, type LaunchedServer } from '../../../tasks/lib/status-protocol/policy-server-launcher.ts';
import { nodeProgram } from '../../../tasks/lib/process/node-program.ts';
import { waitFor } from '../../../tasks/lib/wait-strategies/wait-for.ts';
import { check, verdicts } from '../run-status-task.ts';
import { expectNothingLeft, runTrainingTask, TRAINING_ALL_PASS } from './run-training-task.ts';
import { programCommand } from '../../helpers/program-command.ts';

/** The reference training server on job_x, started by the task through --server-cmd with switches that play real servers' behaviour. */
const serverCmd = (...switches: string[]): string[] => ['--job', 'job_x', '--server-cmd', `${programCommand('training-server')} --port {port} --job-id job_x ${switches.join(' ')}`];

/** The same server started here, for runs with --url (a server the harness does not own). */
async function startServer(...switches: string[]): Promise<LaunchedServer> {
  const argv = [...nodeProgram('training-server'), '--port', '{port}', '--job-id', 'job_x', ...switches];
  return await launchPolicyServer({ start: (options) => ProcessGuard.start(options), argv, name: 'training-server', flag: 'test', startTimeoutMs: 30_000, readyPath: '/jobs/job_x' });
}

/**
 * Verdicts against behaviours seen on real (FastAPI/uvicorn) training servers: each passes what
 * the protocol allows, fails what it forbids, and does not judge what it could not observe.
 */
describe('status-protocol:test --protocol training against behaviours of real training servers', () => {
  it('a job that ends while the cap is filled: not judged (not CONNECTION_CAP_NOT_ENFORCED), from the connections really open together', async () => {
    // The job ends as connection #6 is admitted (the 2nd of the cap fill); later ones get only `completed` and a close.
    const run = await runTrainingTask(serverCmd('--quiet-join', '--monitor-sleep', '0.5', '--end-at-connection', '6'));
    expect(run.exitCode, run.output).toBe(0);
    expect(verdicts(run.report)).toEqual({ ...TRAINING_ALL_PASS, 'connection cap': 'skip' });
    const cap = check(run.report, 'connection cap');
    expect(cap.code).toBeUndefined();
    expect(cap.detail).toMatch(/^not judged: the job ended \(completed\) while the cap was being filled, so at most \d+ connection\(s\) were open together \(cap 10; .*\d+ got only the final message and a close, which says nothing about the cap\); none was refused, and none went above the cap$/);
    expect(cap.evidence.mostOpenTogether as number).toBeLessThanOrEqual(10);
    expect(cap.evidence.gotOnlyTheFinalMessage as number).toBeGreaterThan(0);
    expectNothingLeft(run);
  });

  it('the cap is filled concurrently: one update period, not one per connection, on a server that sends a new client nothing until its next update', async () => {
    const run = await runTrainingTask(serverCmd('--quiet-join', '--monitor-sleep', '0.5'));
    expect(run.exitCode, run.output).toBe(0);
    expect(verdicts(run.report)).toEqual(TRAINING_ALL_PASS);
    const cap = check(run.report, 'connection cap');
    expect(cap.evidence).toMatchObject({ attempts: 8, accepted: 7, mostOpenTogether: 10 });
    // One by one, the 7 accepted connections would each wait for an update 0.5 s apart: 3.5 s at least.
    expect(cap.evidence.fillMs as number).toBeLessThan(3500);
    // The harness's own teardown is the harness's doing (and only that: see the killed server below).
    const exit = run.report.timeline.events.find((event) => event.lane === 'process:training-server' && event.detail?.stoppedByHarness !== undefined);
    expect(exit?.detail).toMatchObject({ stoppedByHarness: true });
    expect(cap.detail).toMatch(/^connection #11 refused \(cap 10; 3 connection\(s\) before \(GET \/jobs\/job_x \.websocket_connections\) \+ 7 accepted, opened together in \S+ m?s\): accepted, then closed 1013 "Connection limit reached for job job_x \(10 per job\)"$/);
    expectNothingLeft(run);
  });

  it('a job that fails during the cap fill: the cap is not judged (not JOB_ENDED_DURING_CHECK); the job outcome fails', async () => {
    const run = await runTrainingTask(serverCmd('--quiet-join', '--monitor-sleep', '0.5', '--end-at-connection', '6', '--end-as', 'failed'));
    expect(run.exitCode, run.output).toBe(1);
    expect(verdicts(run.report)).toEqual({ ...TRAINING_ALL_PASS, 'connection cap': 'skip', 'job outcome': 'fail' });
    expect(check(run.report, 'connection cap').detail).toMatch(/^not judged: the job ended \(failed\) while the cap was being filled/);
    expect(check(run.report, 'job outcome').code).toBe('JOB_FAILED');
    expectNothingLeft(run);
  });

  it('a server killed mid-run: the first failing check names the kill, the later ones are skipped with it, the timeline does not blame the harness', async () => {
    const run = await runTrainingTask(serverCmd('--kill-self-at-step', '40'));
    expect(run.exitCode, run.output).toBe(1);
    const failed = run.report.checks.filter((result) => result.verdict === 'fail');
    expect(failed, run.output).toHaveLength(1);
    const first = failed[0] as (typeof failed)[number];
    expect(first.code).toBe('PROCESS_EXITED');
    expect(first.detail).toMatch(new RegExp(`^training-server was killed by SIGKILL while waiting for the "${first.name}" check`));
    expect(first.hint).toContain('SIGKILL to the server itself at step 40'); // its last log line
    const after = run.report.checks.slice(run.report.checks.indexOf(first) + 1);
    expect(after.length).toBeGreaterThan(0);
    for (const result of after) expect(result, result.name).toMatchObject({ verdict: 'skip', detail: `the server process had exited (killed by SIGKILL during "${first.name}"): nothing left to judge` });
    expect(run.output).not.toContain('FINAL_MESSAGE_MISSING');
    expect(run.output).not.toMatch(/refused without a reason|ran to their end \(closed 1006\)/);
    const exit = run.report.timeline.events.find((event) => event.lane === 'process:training-server' && event.label === 'was killed by SIGKILL');
    expect(exit?.detail).toMatchObject({ signal: 'SIGKILL', stoppedByHarness: false });
    expectNothingLeft(run);
  });

  it('Starlette refusals (HTTP 403, no body, before accept): a missing --job is named from REST, not as a token; the refusals say why they carry no reason', async () => {
    const server = await startServer('--refuse-before-accept', '--max-connections', '6');
    try {
      const missing = await runTrainingTask(['--url', server.baseUrl, '--job', 'job_gone']);
      expect(missing.exitCode, missing.output).toBe(1);
      const connect = check(missing.report, 'clients connect');
      expect(connect.code).toBe('JOB_NOT_FOUND');
      expect(connect.detail).toBe('the stream of job job_gone was refused: the upgrade was answered HTTP 403 with no body, and GET /jobs/job_gone answers 404 {"detail":"Job not found: job_gone"}: the server has no job job_gone');
      expect(connect.hint).toMatch(/^pass --job with a job the server has/);
      expect(missing.output).not.toMatch(/token/i);
      const unknown = check(missing.report, 'unknown job');
      expect(unknown.code).toBe('UNKNOWN_JOB_UNCLEAR');
      expect(unknown.detail).toContain('the refusal carried no close code or reason: the upgrade was answered HTTP 403 with no body, which is what FastAPI/Starlette sends when the route calls websocket.close() before websocket.accept()');
      expect(unknown.hint).toMatch(/^accept the connection first, then close it with a code and a reason .*, e\.g\. code 1008 and reason "Job not found: hivecheck-missing-[0-9a-f]+"$/);

      const capped = await runTrainingTask(['--url', server.baseUrl, '--job', 'job_x', '--max-connections', '6']);
      const cap = check(capped.report, 'connection cap');
      expect(cap.code, capped.output).toBe('CAP_REFUSAL_UNCLEAR');
      expect(cap.detail).toMatch(/^connection #7 \(over the cap of 6\) was refused, but the refusal carried no close code or reason/);
      expect(cap.hint).toContain('"connection limit reached for job job_x (6 per job)"');
    } finally {
      await server.guard.stop();
    }
  });

  it('a job that finished before the run: the checks of a running stream are skipped, not failed on the replayed final message', async () => {
    const server = await startServer('--steps', '4', '--step-interval', '0.01');
    try {
      const base = server.baseUrl.replace(/^ws/, 'http');
      await waitFor(async () => ((JSON.parse((await http(`${base}/jobs/job_x`)).text) as { status: string }).status === 'completed' ? { ready: true, value: true } : { ready: false, observed: 'running', retryAfterMs: 10 }), { description: 'job_x to complete', timeoutMs: 30_000, failFastOn: [server.guard] });
      // The replayed final message is now older than --max-latency: judged as an update, it would fail the latency.
      await new Promise((resolve) => setTimeout(resolve, 700));
      const run = await runTrainingTask(['--url', server.baseUrl, '--job', 'job_x', '--max-latency', '0.5']);
      expect(run.exitCode, run.output).toBe(0);
      const skipped = ['client disconnect', 'connection cap', 'stream stall', 'update interval', 'end-to-end latency'];
      expect(verdicts(run.report)).toEqual({ ...TRAINING_ALL_PASS, ...Object.fromEntries(skipped.map((name) => [name, 'skip'])) });
      for (const name of skipped) expect(check(run.report, name).detail, name).toMatch(/^the job had already ended \(completed at \d{4}-\S+Z\) before the run: every client got only the final message, so there was no running stream to judge/);
      expect(check(run.report, 'clients connect').detail).toContain('the job had already ended (completed at');
      expect(check(run.report, 'REST fallback').detail).toMatch(/^the job had already ended \(completed at \S+\) before the run: no mid-stream read to compare; after the end: REST completed, as streamed$/);
    } finally {
      await server.guard.stop();
    }
  });

  it('a monitor loop that sleeps 1 s after each send: the drift is named, with the excess in enough digits, and the fix follows --max-interval', async () => {
    const run = await runTrainingTask(serverCmd('--monitor-sleep', '1', '--steps', '120'));
    expect(run.exitCode, run.output).toBe(1);
    expect(verdicts(run.report)).toEqual({ ...TRAINING_ALL_PASS, 'update interval': 'fail' });
    const interval = check(run.report, 'update interval');
    expect(interval.code).toBe('UPDATE_GAP_ABOVE_LIMIT');
    expect(interval.detail).toMatch(/^largest gap 1\.\d{4} s \(client-\d #\d+ → #\d+\), p95 1\.\d{4} s over \d+ gaps: \d+ gap\(s\) above the limit of 1\.00 s while the job ran, the largest by \d+\.\d ms/);
    expect(interval.detail).toMatch(/The gaps sit at the limit \(median 1\.\d{4} s; \d+ of the \d+ above it by at most 10 %\): a drift, as from a loop that sends and then sleeps 1\.00 s after its work/);
    expect(interval.hint).toContain('schedule each send by the clock (next = start + k × 1.00 s)');
    expect(interval.hint).not.toContain('even when the trainer wrote nothing new');
    const log = readFileSync(join(run.reportDir, 'logs', 'training-server.log'), 'utf8');
    expect(log).toContain('"event":"broadcast"');
    expectNothingLeft(run);
  });
});
