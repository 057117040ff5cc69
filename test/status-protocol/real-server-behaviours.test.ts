import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PingOutcome } from '../../tasks/lib/status-protocol/keepalive-evidence.ts';
import { ALL_PASS, check, expectNothingRunning, NEEDS_READY, runStatusTask, verdicts, type StatusTaskRun } from './run-status-task.ts';
import { programCommand } from '../helpers/program-command.ts';

/** The reference server, started by the task through --server-cmd, with switches that make it behave like real servers did. */
const server = (...switches: string[]): string[] => ['--server-cmd', `${programCommand('policy-server')} --port {port} ${switches.join(' ')}`];

/**
 * Verdicts against behaviours seen on real (FastAPI/uvicorn) policy servers: each passes what the
 * protocol allows and fails what it forbids, and the message says what was observed.
 */
describe('status-protocol:test against behaviours of real policy servers', () => {
  /** A server that holds every model at once and is ready at once, asked for beta: one run, read by two tests. */
  let readyAtOnce: Promise<StatusTaskRun> | undefined;
  const readyAtOnceRun = (): Promise<StatusTaskRun> => (readyAtOnce ??= runStatusTask([...server('--ready-at-once'), '--model', 'beta']));

  it('an unknown-model error naming only the id, and a loading frame on every warm session, both pass and say so', async () => {
    const run = await runStatusTask(server('--load-seconds', '0.5', '--update-interval', '0.1', '--no-available-list', '--always-send-loading'));
    expect(run.exitCode, run.output).toBe(0);
    expect(verdicts(run.report)).toEqual(ALL_PASS);
    const unknown = check(run.report, 'unknown model');
    expect(unknown.detail).toMatch(/^error "Policy not found: hivecheck-missing-[0-9a-f]+", closed 1008 "Policy not found" after \S+ m?s; the error names the id and does not list the available models \(alpha, beta\): allowed, though listing them is good practice$/);
    expect(unknown.evidence.availableListed).toEqual([]);
    const warm = check(run.report, 'warm connection');
    expect(warm.evidence.statusFrames).toBe(1);
    expect(warm.detail).toContain('after 1 loading frame (first: "Loading policy alpha...")');
    expect(warm.detail).toContain('the loaded model was reused (the protocol allows a loading frame on every session; the time to ready shows no load happened)');
    const serverLog = readFileSync(join(run.reportDir, 'logs', 'policy-server.log'), 'utf8');
    expect(serverLog.match(/"event":"load-start","model":"alpha"/g)).toHaveLength(1); // the warm session's loading frame was no load
    expectNothingRunning(run);
  });

  it('a load that blocks the event loop past the keepalive but within the client limits: named from the late pong, not as buggy periodic updates', async () => {
    // Upstream: one loading frame, nothing for 25 s, the ping at +20 s answered at +25 s; a client
    // with 20 s/20 s pings and a 30 s per-message timeout survived. Compressed: block 3 s, pings every
    // 0.5 s with 3.5 s to answer, 4.5 s per message. With a 2 s block and 1 s pings, a loaded harness
    // once sent no ping inside the block (seen 1 run in 7 beside two busy loops): it then saw only silence.
    const run = await runStatusTask([...server('--load-seconds', '3', '--block-seconds', '3'), '--keepalive', '1', '--ping-interval', '0.5', '--ping-timeout', '3.5', '--message-timeout', '4.5']);
    expect(run.exitCode, run.output).toBe(1);
    const cold = check(run.report, 'cold start');
    expect(cold.code).toBe('STATUS_GAP_ABOVE_KEEPALIVE');
    expect(cold.evidence).toMatchObject({ diagnosis: 'event-loop-blocked', pongs: 'late' });
    const pings = cold.evidence.pings as PingOutcome[];
    // Several pings fall in the 3 s block; each is answered when it ends.
    expect(pings.length).toBeGreaterThanOrEqual(1);
    expect(pings.every((ping) => ping.pongMs !== undefined)).toBe(true);
    expect(pings[0]?.delayMs).toBeGreaterThanOrEqual(250);
    expect(cold.detail).toContain('No periodic status frames: one loading frame, then nothing until ready');
    expect(cold.detail).toMatch(/keepalive: the ping sent at \+\S+ s was answered at \+\S+ s \(\S+ m?s later\): the server's event loop was blocked/);
    expect(cold.detail).toMatch(/Clients it breaks: a per-message timeout under \S+ s; a pong timeout under \S+ s when its ping falls early in the block\. It did not break this client \(per-message timeout 4\.50 s, pings every 500 ms with a 3\.50 s pong timeout\), which got ready\./);
    expect(cold.detail).not.toContain('% 5');
    expect(cold.hint).toContain('load the model off the event loop');
    // The session survived, so the checks that need it ran.
    for (const name of NEEDS_READY) expect(verdicts(run.report)[name]).toBe('pass');
    expectNothingRunning(run);
  });

  it('a blocked load past the per-message timeout: the silence sentence names the unanswered ping', async () => {
    const run = await runStatusTask([...server('--load-seconds', '3', '--block-seconds', '3'), '--keepalive', '1', '--ping-interval', '0.5', '--ping-timeout', '5', '--message-timeout', '2']);
    expect(run.exitCode, run.output).toBe(1);
    const cold = check(run.report, 'cold start');
    expect(cold.code).toBe('MESSAGE_TIMEOUT');
    expect(cold.evidence.diagnosis).toBe('event-loop-blocked');
    expect(cold.detail).toContain('; the keepalive ping sent since the last frame got no pong: the server blocks its event loop while loading (no frames, no pongs)');
    expectNothingRunning(run);
  });

  it('ready at once with no loading frame for a model never loaded: says what was observed, not why', async () => {
    const run = await readyAtOnceRun();
    expect(run.exitCode, run.output).toBe(0);
    const cold = check(run.report, 'cold start');
    expect(cold.verdict).toBe('pass');
    expect(cold.evidence).toMatchObject({ loadObserved: false, statusFrames: 0 });
    expect(cold.detail).toMatch(/^ready \S+ m?s after the socket opened, with no waiting or loading frame: no load was seen on this session, so status updates during a load were not tested/);
    expect(cold.detail).not.toContain('already loaded');
    // Nor does the warm session claim a reuse of a load nobody saw.
    const warm = check(run.report, 'warm connection');
    expect(warm.verdict).toBe('pass');
    expect(warm.detail).toContain('no load on this session (none was seen on the first one either, so there was no load to reuse)');
    expect(warm.detail).not.toContain('reused');
    // The cold start already showed it on the server the harness had just started: no second server is started to see it again.
    expect(check(run.report, 'crash during loading')).toMatchObject({ verdict: 'skip', detail: 'the cold start was ready without a single status frame, so there was no load to crash (a fresh server of the same command was not started to show the same again)' });
    expect(run.pids).toHaveLength(1);
    expectNothingRunning(run);
  });

  it('a bare ndarray as the result fails once, naming what it was and what the protocol expects; the checks about concurrency and errors judge what they observed', async () => {
    const run = await runStatusTask(server('--load-seconds', '0.2', '--bare-result'));
    expect(run.exitCode, run.output).toBe(1);
    // One root cause, one failure: both sessions did answer together, and the session did stay open after an error.
    expect(verdicts(run.report)).toEqual({ ...ALL_PASS, 'inference after ready': 'fail' });
    const inference = check(run.report, 'inference after ready');
    expect(inference.code).toBe('RESULT_MALFORMED');
    expect(inference.detail).toBe('the result must be an action map ({"actions": <ndarray>, ...}) or a list of them, got ndarray <f4[10, 7]>: wrap the array in a map, {"result": {"actions": <array>}}');
    const noted = 'a result malformed as "inference after ready" reported [RESULT_MALFORMED], not judged again here';
    expect(check(run.report, 'two clients inferring at once').detail).toMatch(new RegExp(`^both sessions got results for observations sent together \\(.*\\): ${noted.replace(/[[\]().]/g, '\\$&')}$`));
    expect(check(run.report, 'inference error keeps the session open').detail).toContain(`the same session then answered an observation in`);
    expect(check(run.report, 'inference error keeps the session open').detail).toContain(noted);
    expectNothingRunning(run);
  });

  it('another model while one is in use: a one-model server\'s waiting frames pass (judged by their gaps), and the check does not pass on one model alone', async () => {
    const run = await runStatusTask(server('--load-seconds', '0.3', '--update-interval', '0.1'));
    expect(run.exitCode, run.output).toBe(0);
    const second = check(run.report, 'another model while one is in use');
    expect(second.verdict).toBe('pass');
    expect(second.detail).toMatch(/^a session on beta, asked for while alpha was in use, got \d+ waiting frame\(s\) \("Waiting for \d active session\(s\) to finish\.\.\.", largest gap \S+ m?s, under the keepalive of 20\.00 s\), then went on to loading \("Loading policy beta\.\.\."\), \S+ m?s after the check closed the alpha session\(s\): the server serves one model at a time and said so with waiting, as the protocol allows$/);
    expect(second.evidence.waitingFrames as number).toBeGreaterThanOrEqual(1);
    const serverLog = readFileSync(join(run.reportDir, 'logs', 'policy-server.log'), 'utf8');
    expect(serverLog).toMatch(/"event":"load-start","model":"beta"/);
    // A server that holds both models at once passes too, without waiting.
    const both = await readyAtOnceRun();
    expect(check(both.report, 'another model while one is in use').detail).toMatch(/^a session on alpha was ready \S+ m?s after open while one on beta was in use, and both inferred at once/);
    expectNothingRunning(run);
  });

  it('--model the server does not have: the crash check is skipped (the session erred before any load), not CRASH_MISREPORTED', async () => {
    const run = await runStatusTask([...server('--load-seconds', '0.3'), '--model', 'nope']);
    expect(run.exitCode, run.output).toBe(1);
    expect(check(run.report, 'cold start').code).toBe('SERVER_ERROR');
    expect(check(run.report, 'crash during loading')).toMatchObject({ verdict: 'skip', detail: `the cold start's session was answered with an error before loading anything ("Policy not found: nope. Available: ['alpha', 'beta']"), so no load started and there was nothing to crash (a fresh server of the same command was not started to show the same again)` });
    expect(run.pids).toHaveLength(1);
    expect(run.output).not.toContain('CRASH_MISREPORTED');
    expectNothingRunning(run);
  });

  it('--server-cmd without {port}, or starting with an env assignment: exit 2 at once, naming it, nothing started', async () => {
    const noPort = await runStatusTask(['--server-cmd', `${programCommand('policy-server')} --port 8123`]);
    expect(noPort.exitCode, noPort.output).toBe(2);
    expect(noPort.pids).toEqual([]);
    expect(noPort.report.error).toMatchObject({ code: 'SERVER_CMD_NO_PORT', kind: 'usage', message: '--server-cmd has no {port} placeholder, so the harness cannot know where the policy server listens: it would wait on a port of its own that nobody serves' });
    // No tally of checks above a run that never reached one.
    expect(noPort.output).toMatch(/📊 status-protocol:test: no check ran \(usage error\) in \S+/);
    expect(noPort.output).not.toContain('0 passed, 0 failed');
    const env = await runStatusTask(['--protocol', 'training', '--job', 'j', '--server-cmd', 'PYTHONPATH=src python3 -m trainer --port {port}']);
    expect(env.exitCode, env.output).toBe(2);
    expect(env.report.error).toMatchObject({ code: 'BAD_COMMAND_TEMPLATE', message: '--server-cmd starts with the environment assignment PYTHONPATH=src: it is run without a shell, so PYTHONPATH=src would be taken as the program to start instead of python3' });
    expect(env.report.error?.hint).toBe('set it in the harness\'s environment (PYTHONPATH=src npm run task -- …; the command inherits it), or start the command through env: --server-cmd "env PYTHONPATH=src python3 -m trainer --port {port}"');
  });

  it('--url where nothing listens is an environment error: exit 3, one line, no check run', async () => {
    const { default: getPort } = await import('get-port');
    const port = await getPort({ host: '127.0.0.1' });
    const run = await runStatusTask(['--url', `ws://127.0.0.1:${port}`]);
    expect(run.exitCode).toBe(3);
    expect(run.report.checks).toEqual([]);
    expect(run.report.error).toMatchObject({ code: 'SERVER_UNREACHABLE', kind: 'environment', message: `nothing listens at 127.0.0.1:${port} (--url ws://127.0.0.1:${port}): connection refused (ECONNREFUSED)` });
    expect(run.output.split('\n').filter((line) => line.includes('SERVER_UNREACHABLE'))).toHaveLength(1);
  });
});
