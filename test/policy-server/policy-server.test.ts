import { afterEach, describe, expect, it } from 'vitest';
import { nodeProgram } from '../../tasks/lib/process/node-program.ts';
import WebSocket from 'ws';
import { HarnessError } from '../../tasks/lib/errors/harness-error.ts';
import { ProcessGuard } from '../../tasks/lib/process/process-guard.ts';
import { decodeMessage, encodeMessage } from '../../tasks/lib/status-protocol/ndarray-codec.ts';
import { NdArray } from '../../tasks/lib/status-protocol/nd-array.ts';
import { defaultObservation } from '../../tasks/lib/status-protocol/observation.ts';
import { REPO_ROOT } from '../../tasks/lib/status-protocol/policy-server-launcher.ts';
import { SessionClient } from '../../tasks/lib/status-protocol/session-client.ts';
import { buggyUpdateOffsets } from '../../fixtures/policy-server/buggy-schedule.ts';
import { FrameLogger, type LoggedEvent } from '../../fixtures/policy-server/frame-logger.ts';
import { PolicyServer } from '../../fixtures/policy-server/policy-server.ts';
import { DEFAULT_BEHAVIOUR, parseServerArgs, type ServerConfig } from '../../fixtures/policy-server/server-config.ts';

const running: PolicyServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.close()));
});

/** The reference server in this process (no fault that blocks or kills it), with its event log. */
async function serve(overrides: Partial<ServerConfig> = {}): Promise<{ url: string; events: LoggedEvent[]; server: PolicyServer }> {
  const events: LoggedEvent[] = [];
  const config: ServerConfig = { port: 0, models: ['alpha', 'beta'], defaultModel: 'alpha', loadSeconds: 0.3, updateIntervalSeconds: 0.1, inferenceMs: 0, token: undefined, fault: undefined, behaviour: DEFAULT_BEHAVIOUR, ...overrides };
  const server = new PolicyServer(config, new FrameLogger((line) => events.push(JSON.parse(line) as LoggedEvent)));
  running.push(server);
  const port = await server.listen();
  return { url: `ws://127.0.0.1:${port}`, events, server };
}

describe('reference policy server: CLI', () => {
  it('parses its flags with defaults and refuses nonsense', () => {
    expect(parseServerArgs([])).toMatchObject({ port: 8000, models: ['alpha', 'beta'], defaultModel: 'alpha', loadSeconds: 3, updateIntervalSeconds: 1, fault: undefined });
    expect(parseServerArgs(['--models', '100,200', '--default-model', '200', '--buggy-periodic'])).toMatchObject({ models: ['100', '200'], defaultModel: '200', fault: 'buggy-periodic' });
    expect(() => parseServerArgs(['--block-event-loop', '--fail-load'])).toThrow('at most one fault mode');
    expect(() => parseServerArgs(['--default-model', 'gamma'])).toThrow('not one of --models');
    expect(() => parseServerArgs(['--update-interval', '0'])).toThrow('--update-interval must be a positive number');
    expect(() => parseServerArgs(['--bogus'])).toThrow();
    expect(parseServerArgs([])).toMatchObject({ behaviour: DEFAULT_BEHAVIOUR });
    expect(parseServerArgs(['--always-send-loading', '--no-available-list', '--block-seconds', '2.5', '--ready-at-once', '--bare-result'])).toMatchObject({ behaviour: { alwaysSendLoading: true, availableList: false, blockSeconds: 2.5, readyAtOnce: true, bareResult: true } });
    expect(() => parseServerArgs(['--block-seconds=-1'])).toThrow('--block-seconds must be a non-negative number');
  });

  it('binds 127.0.0.1 on a free port and says where', async () => {
    await using guard = await ProcessGuard.start({ name: 'policy-server', command: process.execPath, args: [...nodeProgram('policy-server').slice(1), '--port', '0'], cwd: REPO_ROOT });
    const match = await guard.waitForLine(/^listening on http:\/\/127\.0\.0\.1:(\d+)$/, { timeoutMs: 15_000 });
    const response = await fetch(`http://127.0.0.1:${match[1]}/api/v1/models`);
    expect(await response.json()).toEqual({ models: ['alpha', 'beta'] });
  });

  it('exits 2 on a bad flag, with its usage', async () => {
    await using guard = await ProcessGuard.start({ name: 'policy-server', command: process.execPath, args: [...nodeProgram('policy-server').slice(1), '--load-seconds', 'soon'], cwd: REPO_ROOT });
    const exit = await guard.settled;
    expect(exit.code).toBe(2);
    expect(guard.tail().join('\n')).toContain('--load-seconds must be a non-negative number');
  });
});

describe('reference policy server: the buggy periodic schedule', () => {
  it('reproduces the upstream gaps: 20.7 s and 25.3 s with a 5 s interval, above a 20 s keepalive', () => {
    const offsets = buggyUpdateOffsets(5000, 60_000);
    expect(offsets.slice(0, 4).map((ms) => Math.round(ms))).toEqual([20_700, 25_300, 50_600, 55_200]);
    const gaps = offsets.map((ms, i) => ms - (offsets[i - 1] ?? 0));
    expect(Math.max(...gaps)).toBeGreaterThan(20_000);
    expect(Math.max(...gaps)).toBeLessThan(30_000);
  });

  it('compresses with the interval: 1.035 s and 1.265 s at 0.25 s', () => {
    expect(buggyUpdateOffsets(250, 3000).map((ms) => Math.round(ms * 1000) / 1000)).toEqual([1035, 1265, 2530, 2760]);
  });
});

describe('reference policy server: protocol', () => {
  it('lists its models and answers 404 elsewhere', async () => {
    const { url } = await serve();
    const http = url.replace('ws', 'http');
    expect(await (await fetch(`${http}/api/v1/models`)).json()).toEqual({ models: ['alpha', 'beta'] });
    expect((await fetch(`${http}/nope`)).status).toBe(404);
  });

  it('sends loading periodically, then ready with meta, and logs every frame with its send time', async () => {
    const { url, events } = await serve({ loadSeconds: 0.45, updateIntervalSeconds: 0.1 });
    const { client, ready } = await SessionClient.connect({ url });
    await client.close();
    expect(ready.statusFrames.length).toBeGreaterThanOrEqual(4);
    expect(ready.statusFrames[0]?.message).toBe('Loading policy alpha...');
    expect(ready.statusFrames[1]?.message).toMatch(/^Loading policy alpha\.\.\. \(\d+\.\ds elapsed\)$/); // the format; when it comes depends on the machine's load
    expect(ready.meta).toMatchObject({ model_name: 'alpha', action_horizon: 10, action_dim: 7 });
    const sends = events.filter((event) => event.event === 'send');
    expect(sends).toHaveLength(client.log.inbound().length);
    expect(sends.every((event) => typeof event.epochMs === 'number' && event.peer === client.localPort)).toBe(true);
  });

  it('a named model loads that model; an unknown one gets an error naming it and the list, then 1008', async () => {
    const { url } = await serve({ loadSeconds: 0 });
    const { client, ready } = await SessionClient.connect({ url, model: 'beta' });
    await client.close();
    expect(ready.meta.model_name).toBe('beta');
    const error = await SessionClient.connect({ url, model: 'gamma' }).catch((e: unknown) => e as HarnessError);
    expect((error as HarnessError).evidence).toMatchObject({ serverError: "Policy not found: gamma. Available: ['alpha', 'beta']", closeCode: 1008, closeReason: 'Policy not found' });
  });

  it('sends waiting while another model is in use, then loads once it is released', async () => {
    const { url, events } = await serve({ loadSeconds: 0.1, updateIntervalSeconds: 0.05 });
    const first = await SessionClient.connect({ url, model: 'alpha' });
    const second = SessionClient.connect({ url, model: 'beta' });
    const waitingSeen = new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (events.some((event) => event.event === 'send' && (event.content as { status?: string }).status === 'waiting')) {
          clearInterval(timer);
          resolve();
        }
      }, 5);
    });
    await waitingSeen;
    await first.client.close();
    const { client, ready } = await second;
    await client.close();
    const statuses = ready.statusFrames.map((frame) => frame.status);
    expect(statuses[0]).toBe('waiting');
    expect(ready.statusFrames[0]?.message).toBe('Waiting for 1 active session(s) to finish...');
    expect(statuses).toContain('loading');
    expect(statuses.lastIndexOf('waiting')).toBeLessThan(statuses.indexOf('loading'));
    expect(ready.meta.model_name).toBe('beta');
    expect(events.filter((event) => event.event === 'unload').map((event) => event.model)).toEqual(['alpha']);
  });

  it('sessions that arrive during a load join it: one load, loading frames for each', async () => {
    const { url, events } = await serve({ loadSeconds: 0.3, updateIntervalSeconds: 0.1 });
    const [a, b] = await Promise.all([SessionClient.connect({ url }), SessionClient.connect({ url })]);
    await Promise.all([a.client.close(), b.client.close()]);
    expect(events.filter((event) => event.event === 'load-start')).toHaveLength(1);
    expect(a.ready.statusFrames.length).toBeGreaterThan(0);
    expect(b.ready.statusFrames.length).toBeGreaterThan(0);
  });

  it('answers observations with float32 [10, 7] actions, errors without closing, and garbage too', async () => {
    const { url } = await serve({ loadSeconds: 0 });
    await using client = (await SessionClient.connect({ url })).client;
    const reply = await client.infer(defaultObservation());
    const actions = (reply as { ok: true; result: { actions: NdArray } }).result.actions;
    expect(actions.describe()).toBe('<f4[10, 7]>');
    expect(await client.infer({ 'observation/state': 'nope' })).toMatchObject({ ok: false, error: expect.stringContaining('ValueError') });
    await client.sendRaw(Uint8Array.from([0xc1]));
    // No request ids in this protocol: the garbage's error reply is the next frame, read by the next infer.
    expect(await client.infer(defaultObservation())).toMatchObject({ ok: false, error: expect.stringContaining('not a msgpack document') });
    expect((await client.infer(defaultObservation())).ok).toBe(true);
  });

  it('closes with 1000 on a TEXT frame', async () => {
    const { url } = await serve({ loadSeconds: 0 });
    const ws = new WebSocket(`${url}/api/v1/session`);
    await new Promise((resolve) => ws.once('open', resolve));
    ws.send('hello');
    const code = await new Promise<number>((resolve) => ws.once('close', (closeCode: number) => resolve(closeCode)));
    expect(code).toBe(1000);
  });

  it('with --token: no or a wrong bearer token is refused with 1008, the right one is served', async () => {
    const { url } = await serve({ loadSeconds: 0, token: 'sekrit-token-1' });
    for (const token of [undefined, 'wrong-token-1']) {
      const error = await SessionClient.connect({ url, token }).catch((e: unknown) => e as HarnessError);
      expect((error as HarnessError).evidence).toMatchObject({ closeCode: 1008, closeReason: 'Unauthorized', framesReceived: 0 });
    }
    const { client } = await SessionClient.connect({ url, token: 'sekrit-token-1' });
    await client.close();
  });

  it('--fail-load closes 1000 without an error frame, halfway through the load', async () => {
    const { url, events } = await serve({ loadSeconds: 0.2, updateIntervalSeconds: 0.05, fault: 'fail-load' });
    const error = await SessionClient.connect({ url }).catch((e: unknown) => e as HarnessError);
    expect((error as HarnessError).evidence).toMatchObject({ closeCode: 1000, diagnosis: 'closed-without-error' });
    const sent = events.filter((event) => event.event === 'send').map((event) => (event.content as { status: string }).status);
    expect(sent.every((status) => status === 'loading')).toBe(true);
    expect(events.some((event) => event.event === 'load-failed')).toBe(true);
  });

  it('a raw msgpack observation round-trips through a plain ws client', async () => {
    const { url } = await serve({ loadSeconds: 0 });
    const ws = new WebSocket(`${url}/api/v1/session/beta`);
    const frames: Array<Record<string, unknown>> = [];
    const gotResult = new Promise<void>((resolve) =>
      ws.on('message', (data: Buffer) => {
        const frame = decodeMessage(data) as Record<string, unknown>;
        frames.push(frame);
        if (frame.status === 'ready') ws.send(encodeMessage({ 'observation/state': NdArray.of(new Float64Array([1, 2])) }));
        if ('result' in frame) resolve();
      }),
    );
    await gotResult;
    ws.close();
    expect(frames.map((frame) => frame.status ?? 'result')).toEqual(['loading', 'ready', 'result']);
  });
});

describe('reference policy server: behaviours of real servers', () => {
  const behave = (overrides: Partial<ServerConfig['behaviour']>): Partial<ServerConfig> => ({ behaviour: { ...DEFAULT_BEHAVIOUR, ...overrides } });

  it('--always-send-loading: a warm session gets loading then ready at once, and the model is loaded once', async () => {
    const { url, events } = await serve({ loadSeconds: 0.2, updateIntervalSeconds: 0.05, ...behave({ alwaysSendLoading: true }) });
    const cold = await SessionClient.connect({ url });
    const warm = await SessionClient.connect({ url });
    await Promise.all([cold.client.close(), warm.client.close()]);
    expect(warm.ready.statusFrames.map((frame) => `${frame.status} ${frame.message}`)).toEqual(['loading Loading policy alpha...']);
    expect(events.filter((event) => event.event === 'load-start')).toHaveLength(1);
  });

  it('--no-available-list: the unknown-model error names only the id', async () => {
    const { url } = await serve({ loadSeconds: 0, ...behave({ availableList: false }) });
    const error = await SessionClient.connect({ url, model: 'gamma' }).catch((e: unknown) => e as HarnessError);
    expect((error as HarnessError).evidence).toMatchObject({ serverError: 'Policy not found: gamma', closeCode: 1008, closeReason: 'Policy not found' });
  });

  it('--ready-at-once: ready with no loading frame and no load, for a model never loaded', async () => {
    const { url, events } = await serve({ loadSeconds: 5, ...behave({ readyAtOnce: true }) });
    const { client, ready } = await SessionClient.connect({ url, model: 'beta' });
    await client.close();
    expect(ready.statusFrames).toEqual([]);
    expect(ready.meta.model_name).toBe('beta');
    expect(events.filter((event) => event.event === 'load-start')).toHaveLength(0);
  });

  it('--bare-result: the result is the actions ndarray itself', async () => {
    const { url } = await serve({ loadSeconds: 0, ...behave({ bareResult: true }) });
    await using client = (await SessionClient.connect({ url })).client;
    const reply = await client.infer(defaultObservation());
    expect(reply.ok && reply.result instanceof NdArray && reply.result.describe()).toBe('<f4[10, 7]>');
  });

  it('--block-seconds: one loading frame, then no frame and no pong until the block ends', async () => {
    await using guard = await ProcessGuard.start({ name: 'policy-server', command: process.execPath, args: [...nodeProgram('policy-server').slice(1), '--port', '0', '--load-seconds', '1', '--block-seconds', '1'], cwd: REPO_ROOT });
    const match = await guard.waitForLine(/^listening on http:\/\/127\.0\.0\.1:(\d+)$/, { timeoutMs: 15_000 });
    const client = await SessionClient.open({ url: `ws://127.0.0.1:${match[1]}`, pingIntervalMs: 200, pingTimeoutMs: 5000 });
    const ready = await client.waitReady();
    await client.close();
    expect(ready.statusFrames).toHaveLength(1);
    const records = client.log.records;
    const firstPing = records.find((record) => record.kind === 'ping' && record.direction === 'out');
    const firstPong = records.find((record) => record.kind === 'pong');
    const readyFrame = records.find((record) => record.seq === ready.readySeq);
    // The ping sent during the block is answered only once the block is over, with ready.
    expect(firstPing && firstPong && readyFrame).toBeTruthy();
    expect((firstPong?.atMs ?? 0) - (firstPing?.atMs ?? 0)).toBeGreaterThan(150);
    expect(Math.abs((firstPong?.atMs ?? 0) - (readyFrame?.atMs ?? 0))).toBeLessThan((firstPong?.atMs ?? 0) - (firstPing?.atMs ?? 0));
  });
});
