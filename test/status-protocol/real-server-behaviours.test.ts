import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PingOutcome } from '../../tasks/lib/status-protocol/keepalive-evidence.ts';
import { ALL_PASS, check, expectNothingRunning, NEEDS_READY, runStatusTask, verdicts } from './run-status-task.ts';

/** The reference server, started by the task through --server-cmd, with switches that make it behave like real servers did. */
const server = (...switches: string[]): string[] => ['--server-cmd', `${process.execPath} --import tsx fixtures/policy-server/main.ts --port {port} ${switches.join(' ')}`];

/**
 * Verdicts against behaviours seen on real (FastAPI/uvicorn) policy servers: each passes what the
 * protocol allows and fails what it forbids, and the message says what was observed.
 */
describe('status-protocol:test against behaviours of real policy servers', () => {
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
    expect(serverLog.match(/"event":"load-start"/g)).toHaveLength(1); // the warm session's loading frame was no load
    expectNothingRunning(run);
  });

  it('a load that blocks the event loop past the keepalive but within the client limits: named from the late pong, not as buggy periodic updates', async () => {
    // Upstream: one loading frame, nothing for 25 s, the ping at +20 s answered at +25 s; a client
    // with 20 s/20 s pings and a 30 s per-message timeout survived. Compressed: block 2 s, pings every
    // 1 s with 1.5 s to answer, 3 s per message (room for a busy machine to send its ping late).
    const run = await runStatusTask([...server('--load-seconds', '2', '--block-seconds', '2'), '--keepalive', '1', '--ping-interval', '1', '--ping-timeout', '1.5', '--message-timeout', '3']);
    expect(run.exitCode, run.output).toBe(1);
    const cold = check(run.report, 'cold start');
    expect(cold.code).toBe('STATUS_GAP_ABOVE_KEEPALIVE');
    expect(cold.evidence).toMatchObject({ diagnosis: 'event-loop-blocked', pongs: 'late' });
    const pings = cold.evidence.pings as PingOutcome[];
    // One ping falls in the 2 s block on an idle machine; a loaded one may stretch the block over a second ping.
    expect(pings.length).toBeGreaterThanOrEqual(1);
    expect(pings.every((ping) => ping.pongMs !== undefined)).toBe(true);
    expect(pings[0]?.delayMs).toBeGreaterThanOrEqual(250);
    expect(cold.detail).toContain('No periodic status frames: one loading frame, then nothing until ready');
    expect(cold.detail).toMatch(/keepalive: the ping sent at \+\S+ s was answered at \+\S+ s \(\S+ m?s later\): the server's event loop was blocked/);
    expect(cold.detail).toMatch(/Clients it breaks: a per-message timeout under \S+ s; a pong timeout under \S+ s when its ping falls early in the block\. It did not break this client \(per-message timeout 3\.00 s, pings every 1\.00 s with a 1\.50 s pong timeout\), which got ready\./);
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
    const run = await runStatusTask([...server('--ready-at-once'), '--model', 'beta']);
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
    expect(check(run.report, 'crash during loading')).toMatchObject({ verdict: 'skip', detail: 'the fresh server was ready without a single status frame, so there was no load to crash' });
    expectNothingRunning(run);
  });

  it('a bare ndarray as the result fails, naming what it was and what the protocol expects', async () => {
    const run = await runStatusTask(server('--load-seconds', '0.2', '--bare-result'));
    expect(run.exitCode, run.output).toBe(1);
    const inference = check(run.report, 'inference after ready');
    expect(inference.code).toBe('RESULT_MALFORMED');
    expect(inference.detail).toBe('the result must be an action map ({"actions": <ndarray>, ...}) or a list of them, got ndarray <f4[10, 7]>: wrap the array in a map, {"result": {"actions": <array>}}');
    expectNothingRunning(run);
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
