import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { liveGuards } from '../../tasks/lib/process/guard-registry.ts';
import { repoPath } from '../helpers/fixture-path.ts';
import { runTask } from '../helpers/run-task-in-process.ts';

/**
 * canary:check on subjects written another way: a chat bot and a chat service in Python with
 * Debian's python3-websockets (10.x): pings + pong timeout, a closing handshake bounded by the close
 * timeout, permessage-deflate accepted, `async for` reconnects with a 2–5 s backoff, no outbox, a
 * service that exits at once on SIGTERM. Skipped where python3-websockets is not installed
 * (`apt-get install -y python3-websockets`).
 */
const PYTHON = '/usr/bin/python3';
const hasWebsockets = spawnSync(PYTHON, ['-c', 'import websockets'], { stdio: 'ignore' }).status === 0;
const BOT = `${PYTHON} ${repoPath('test/fixtures/python-chat/chat_bot.py')} --url {url} --close-timeout 2`;
const SERVICE = `${PYTHON} ${repoPath('test/fixtures/python-chat/chat_service.py')} --port {port} --close-timeout 2`;
const KEEPALIVE = '--ping-interval 1 --ping-timeout 1';
const TIMES = ['--idle', '0.5', '--detect-within', '2', '--close-within', '3', '--samples', '20'];

interface Section {
  decision: string;
  probes: Array<{ name: string; baseline: { state: string; detail: string }; canary: { state: string; detail: string } }>;
  metrics: Array<{ name: string; lost?: unknown }>;
  skipped?: Array<{ name: string; why: string }>;
}
const probe = (section: Section, name: string) => section.probes.find((each) => each.name === name);

describe.skipIf(!hasWebsockets)('canary:check on Python websockets subjects', () => {
  afterAll(() => expect(liveGuards()).toEqual([]));

  it.concurrent('an A/A of a Python bot (pings 1 s / 1 s, close timeout 2 s, --detect-within 2) never rolls back: noticing is its close frame, the delivery rule is met', async () => {
    const run = await runTask(['canary:check', '--aa', '--baseline', `${BOT} ${KEEPALIVE}`, ...TIMES]);
    const section = (run.report as unknown as { canary: Section }).canary;
    expect(section.decision, run.output.slice(-4000)).not.toBe('rollback');
    const stale = probe(section, 'stale path after idle');
    for (const side of [stale?.baseline, stale?.canary]) expect(side, JSON.stringify(stale)).toMatchObject({ state: 'pass', detail: expect.stringMatching(/close frame sent into the dead path/) });
    const burst = probe(section, 'messages sent just before a close');
    expect([burst?.baseline.state, burst?.canary.state], JSON.stringify(burst)).toEqual(['pass', 'pass']);
    expect(section.skipped).toEqual([{ name: 'proactive reconnect at max age', why: expect.stringMatching(/no --max-age/) }]);
  });

  it.concurrent('an A/A of a Python service (exits at once on SIGTERM, accepts permessage-deflate) never rolls back, loses no sample, and every probe finds a connection', async () => {
    const run = await runTask(['canary:check', '--kind', 'ws-server', '--aa', '--baseline', `${SERVICE} ${KEEPALIVE}`, ...TIMES]);
    const section = (run.report as unknown as { canary: Section }).canary;
    expect(section.decision, run.output.slice(-4000)).not.toBe('rollback');
    expect(JSON.stringify(section.probes)).not.toMatch(/no open connection|the proxy did not pass/);
    expect(section.metrics.find((metric) => metric.name === 'reply latency')?.lost).toBeUndefined();
    for (const name of ['connects', 'first message after idle', 'stale path after idle', 'reset on first send after idle', 'close on a dead path']) {
      expect([probe(section, name)?.baseline.state, probe(section, name)?.canary.state], name).toEqual(['pass', 'pass']);
    }
  });

  it.concurrent('a Python bot canary with keepalive off is rolled back on the stale path, naming it', async () => {
    // The canary stays on the dead path: the probe waits for the message's fate (reconnect + reply
    // allowances), then the next probe waits the reconnect allowance once for a connection that never
    // comes. The Python bot reconnects at once after a close (its backoff is for failed connects
    // only), so 2 s to reconnect and to reply are the budgets that still leave the baseline room.
    const run = await runTask(['canary:check', '--baseline', `${BOT} ${KEEPALIVE}`, '--canary', `${BOT} --ping-interval 0`, ...TIMES, '--reconnect-within', '2', '--reply-timeout', '2']);
    expect(run.exitCode, run.output.slice(-4000)).toBe(1);
    expect(run.report.decision?.reason).toMatch(/gate "stale path after idle" regressed: passes on the baseline, fails on the canary \(canary: did not notice the dead path/);
  }, 120_000);
});
