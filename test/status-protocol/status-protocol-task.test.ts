import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FrameGap, FrameRecord } from '../../tasks/lib/status-protocol/frame-log.ts';
import type { LaunchedServer } from '../../tasks/lib/status-protocol/policy-server-launcher.ts';
import { runCli } from '../../tasks/runner/run-cli.ts';
import { statusProtocolTask } from '../../tasks/status-protocol-test/status-protocol-task.ts';
import { startReferenceServer } from './reference-server.ts';
import { ALL_PASS, check, expectNothingRunning, runStatusTask, verdicts, type StatusTaskRun } from './run-status-task.ts';
import { compareColdStartGaps, describeTiming } from './timing-agreement.ts';
import { programCommand } from '../helpers/program-command.ts';

describe('status-protocol:test against the reference policy server', () => {
  let run: StatusTaskRun;
  beforeAll(async () => {
    run = await runStatusTask(['--load-seconds', '1', '--update-interval', '0.2']);
  });

  it('passes every check and exits 0', () => {
    expect(run.exitCode, run.output).toBe(0);
    expect(verdicts(run.report)).toEqual(ALL_PASS);
    expect(run.output).toContain('✅ status-protocol:test passed');
    expect(run.output).toMatch(/cold-start: \[loading\] Loading policy alpha\.\.\./);
  });

  it('reports the cold start with its frame timeline, largest gap and time to ready', () => {
    const cold = check(run.report, 'cold start');
    // The measured times vary with the machine's load: the text is checked for its shape only.
    expect(cold.detail).toMatch(/^ready \S+ m?s after the harness saw the socket open \(the server starts loading when it accepts the connection, which can be earlier, so this can be a little shorter than the load\), after [3-6] loading frames; largest gap \S+ m?s, under the keepalive \(20\.00 s\) and the per-message timeout \(30\.00 s\)$/);
    expect(cold.evidence).toMatchObject({ loadObserved: true, timeToReadyFrom: 'the socket open event, as the harness saw it' });
    const frames = cold.evidence.frames as FrameRecord[];
    const opened = frames.find((frame) => frame.kind === 'open') as FrameRecord;
    const ready = frames.find((frame) => (frame.content as { status?: string } | undefined)?.status === 'ready') as FrameRecord;
    expect(cold.evidence.timeToReadyMs).toBe(Math.round(ready.atMs - opened.atMs)); // measured from the open event
    expect((cold.evidence.largestGap as FrameGap).ms).toBeLessThan(20_000);
    expect(cold.evidence.timeline).toEqual(expect.arrayContaining([expect.stringMatching(/← binary \d+ B \{"status":"ready"/)]));
    expect(check(run.report, 'crash during loading').evidence).toMatchObject({ closeCode: 1006, diagnosis: 'crash' });
  });

  it('the largest gap the harness reports is the same pair of frames the server’s own send times show', () => {
    // How closely the two clocks agree is a figure: npm run bench -- status-gaps.
    const timing = compareColdStartGaps(run);
    console.info(describeTiming('default run', timing));
    expect(timing.harnessGapsMs.length).toBeGreaterThanOrEqual(4);
    expect(timing.harnessLargestMs).toBeCloseTo(timing.harnessGapsMs[timing.largestIndex] as number, 2);
    expect(timing.serverGapsMs).toHaveLength(timing.harnessGapsMs.length);
  });

  it('leaves nothing running', () => {
    expect(run.pids).toHaveLength(2); // the server and the fresh one the crash check kills
    expectNothingRunning(run);
  });
});

describe('status-protocol:test against a server it does not own', () => {
  let server: LaunchedServer;
  beforeAll(async () => {
    server = await startReferenceServer('external', { loadSeconds: 0.5, updateIntervalSeconds: 0.1 });
  });
  afterAll(async () => {
    await server.guard.stop();
  });

  it('--url: runs every check but the crash, which is skipped with a reason', async () => {
    const run = await runStatusTask(['--url', server.baseUrl, '--model', 'beta', '--keepalive', '2']);
    expect(run.exitCode, run.output).toBe(0);
    expect(verdicts(run.report)).toEqual({ ...ALL_PASS, 'crash during loading': 'skip' });
    expect(check(run.report, 'crash during loading').detail).toContain('does not own the server process');
    expect(check(run.report, 'cold start').evidence.meta).toMatchObject({ model_name: 'beta' });
    expect(server.guard.running).toBe(true);
  });

  it('--model that the server does not list fails the model listing', async () => {
    const run = await runStatusTask(['--url', server.baseUrl, '--model', 'gamma']);
    expect(run.exitCode).toBe(1);
    expect(check(run.report, 'model listing').code).toBe('MODEL_NOT_LISTED');
  });
});

describe('status-protocol:test --server-cmd', () => {
  it('starts the command from a template ({port}, {token}) under a guard; the token never shows', async () => {
    const token = 'hivecheck-sekrit-9876';
    const command = `${programCommand('policy-server')} --port {port} --load-seconds 0.5 --update-interval 0.1 --token {token}`;
    const run = await runStatusTask(['--server-cmd', command, '--token', token]);
    expect(run.exitCode, run.output).toBe(0);
    expect(verdicts(run.report)).toEqual(ALL_PASS);
    expect(run.report.settings).toMatchObject({ server: 'server-cmd', token: '[REDACTED]' });
    const everything = [run.output, readFileSync(join(run.reportDir, 'report.json'), 'utf8'), readFileSync(join(run.reportDir, 'logs', 'policy-server.log'), 'utf8')].join('\n');
    expect(everything).not.toContain(token);
    expectNothingRunning(run);
  });

  it('without the token the cold start names the refusal (1008)', async () => {
    const command = `${programCommand('policy-server')} --port {port} --load-seconds 0 --token needs-a-token-1`;
    const run = await runStatusTask(['--server-cmd', command]);
    expect(run.exitCode).toBe(1);
    expect(check(run.report, 'cold start').evidence).toMatchObject({ closeCode: 1008, diagnosis: 'refused' });
    // A fresh server would refuse the same session: the crash check says so instead of starting one.
    expect(check(run.report, 'crash during loading')).toMatchObject({ verdict: 'skip' });
    expect(check(run.report, 'crash during loading').detail).toMatch(/^the cold start's session was closed 1008 .* before any status frame, so no load started and there was nothing to crash \(a fresh server of the same command was not started to show the same again\)$/);
    expect(run.pids).toHaveLength(1);
    expectNothingRunning(run);
  });

  it('a command whose process exits fails fast with its log tail', async () => {
    const run = await runStatusTask(['--server-cmd', `${process.execPath} -e "console.error('no GPU'); process.exit(4)" {port}`]);
    expect(run.exitCode).toBe(1);
    expect(run.report.error?.code).toBe('PROCESS_EXITED');
    expect(run.output).toContain('no GPU');
  });
});

describe('status-protocol:test flags', () => {
  const io = () => {
    let text = '';
    const sink = { write: (chunk: string) => (text += chunk), isTTY: false };
    return { io: { stdout: sink, stderr: sink, env: { CI: 'true' }, cwd: process.cwd() }, text: () => text };
  };

  it.each([
    [['--url', 'ws://127.0.0.1:1', '--fault', 'fail-load'], '--fault runs the reference server'],
    [['--url', 'ws://127.0.0.1:1', '--server-cmd', 'x {port}'], '--url and --server-cmd exclude each other'],
    [['--url', 'ws://127.0.0.1:1', '--load-seconds', '2'], '--load-seconds sets up the reference server'],
    [['--server-cmd', 'server --port {port} | tee log'], 'without a shell'],
    [['--url', 'ftp://host'], '--url must be ws://'],
    [['--fault', 'sometimes'], '--fault must be one of block-event-loop, buggy-periodic, crash-during-load, fail-load'],
  ])('refuses %j with exit 2', async (args, message) => {
    const { io: captured, text } = io();
    const code = await runCli(['status-protocol:test', ...args], [statusProtocolTask], captured);
    expect(code).toBe(2);
    expect(text()).toContain(message);
  });

  it('--help documents every flag with its default', async () => {
    const { io: captured, text } = io();
    expect(await runCli(['status-protocol:test', '--help'], [statusProtocolTask], captured)).toBe(0);
    for (const [flag, shown] of [
      ['--url <ws://host:port>', 'start the reference server'],
      ['--keepalive <s>', '20 (1 with --fault)'],
      ['--message-timeout <s>', '30 (2 with --fault)'],
      ['--open-timeout <s>', '10'],
      ['--ping-interval <s>', '--keepalive'],
      ['--load-seconds <s>', '3'],
      ['--update-interval <s>', '1 (0.25 with --fault)'],
    ]) {
      expect(text()).toContain(flag);
      expect(text()).toContain(`(default: ${shown}`);
    }
    expect(text()).toContain('--fault <mode>');
    expect(text()).toContain('[block-event-loop|buggy-periodic|crash-during-load|fail-load|slow-updates|drop-completion|leak|wrong-schema|trainer-crash|silent-crash|no-connection-cap]');
  });
});
