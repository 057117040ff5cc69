import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Encoder } from '@msgpack/msgpack';
import getPort from 'get-port';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { HarnessError } from '../../tasks/lib/errors/harness-error.ts';
import { liveGroupMembers } from '../../tasks/lib/process/process-groups.ts';
import { FrameLog } from '../../tasks/lib/status-protocol/frame-log.ts';
import { encodeMessage } from '../../tasks/lib/status-protocol/ndarray-codec.ts';
import { defaultObservation } from '../../tasks/lib/status-protocol/observation.ts';
import type { LaunchedServer } from '../../tasks/lib/status-protocol/policy-server-launcher.ts';
import { SessionClient, type SessionClientOptions } from '../../tasks/lib/status-protocol/session-client.ts';
import { diagnoseSilence, SessionFailure } from '../../tasks/lib/status-protocol/status-failure.ts';
import { startReferenceServer } from './reference-server.ts';

const TOKEN = 'hivecheck-test-token-4242';
const servers: Record<string, LaunchedServer> = {};

/** Connects and runs the status loop, returning the typed failure it must end with. */
async function failureOf(options: SessionClientOptions): Promise<HarnessError> {
  const started = performance.now();
  try {
    const { client } = await SessionClient.connect(options);
    await client.close();
  } catch (error) {
    expect(error).toBeInstanceOf(HarnessError);
    (error as HarnessError).evidence.testElapsedMs = performance.now() - started;
    return error as HarnessError;
  }
  throw new Error('the session became ready');
}

beforeAll(async () => {
  const launched = await Promise.all([
    startReferenceServer('normal', { loadSeconds: 1.2, updateIntervalSeconds: 0.15 }),
    startReferenceServer('fail-load', { loadSeconds: 0.4, updateIntervalSeconds: 0.1, fault: 'fail-load' }),
    startReferenceServer('crash', { loadSeconds: 0.4, updateIntervalSeconds: 0.1, fault: 'crash-during-load' }),
    startReferenceServer('block-a', { loadSeconds: 1.5, updateIntervalSeconds: 0.1, fault: 'block-event-loop' }),
    startReferenceServer('block-b', { loadSeconds: 1.5, updateIntervalSeconds: 0.1, fault: 'block-event-loop' }),
    startReferenceServer('slow-updates', { loadSeconds: 3, updateIntervalSeconds: 5 }),
    startReferenceServer('token', { loadSeconds: 0, updateIntervalSeconds: 1 }, TOKEN),
  ]);
  for (const server of launched) servers[server.guard.name] = server;
}, 30_000);

afterAll(async () => {
  const all = Object.values(servers);
  await Promise.all(all.map((server) => server.guard.stop({ graceMs: 500 })));
  for (const server of all) expect(liveGroupMembers(server.guard.pid)).toEqual([]);
});

const url = (name: string): string => (servers[name] as LaunchedServer).baseUrl;

describe('SessionClient: the happy path', () => {
  it('runs the status loop to ready, infers, and survives an inference error', async () => {
    const openedAtWall = Date.now();
    await using client = await SessionClient.open({ url: url('normal'), label: 'happy' });
    const ready = await client.waitReady();
    expect(ready.meta.model_name).toBe('alpha');
    expect(ready.statusFrames.length).toBeGreaterThanOrEqual(3);
    expect(ready.statusFrames.every((frame) => frame.status === 'loading')).toBe(true);
    // The server's 1.2 s load starts when it accepts, which is after the client began to connect and
    // before the client sees the open (late on a busy machine: 506 ms from the open was seen): from
    // the start of connecting, ready cannot come sooner than the load.
    expect(ready.connectMs + ready.timeToReadyMs).toBeGreaterThanOrEqual(1190);
    // Updates every 150 ms: the largest gap is far below the load (one frame, then silence, would be
    // ~1.2 s). The bound leaves room for a busy machine (a 408 ms gap was seen beside two busy loops).
    expect(ready.largestGap?.ms).toBeLessThan(600);
    const reply = await client.infer(defaultObservation());
    expect(reply.ok).toBe(true);
    const bad = await client.infer({});
    expect(bad).toMatchObject({ ok: false, error: "KeyError: 'observation/state'" });
    expect((await client.infer(defaultObservation(1))).ok).toBe(true);
    const records = client.log.records;
    expect(records[0]?.kind).toBe('open');
    for (let i = 1; i < records.length; i += 1) expect((records[i] as { atMs: number }).atMs).toBeGreaterThanOrEqual((records[i - 1] as { atMs: number }).atMs);
    // Epoch stamps are on the wall clock (a server's stamps are): from before the session opened to now.
    for (const record of records) expect(record.epochMs).toBeGreaterThanOrEqual(openedAtWall - 2);
    for (const record of records) expect(record.epochMs).toBeLessThanOrEqual(Date.now() + 2);
    expect(records.filter((record) => record.direction === 'out' && record.kind === 'binary')).toHaveLength(3);
  });

  it('a second session on the loaded model is ready at once', async () => {
    const { client, ready } = await SessionClient.connect({ url: url('normal') });
    await client.close();
    expect(ready.statusFrames).toEqual([]);
    expect(ready.timeToReadyMs).toBeLessThan(1000);
  });

  it('a TEXT frame after ready makes the server close (1000); the client then reports CONNECTION_CLOSED', async () => {
    const { client } = await SessionClient.connect({ url: url('normal') });
    await client.sendRaw('{"hello": "server"}');
    const close = await client.closed();
    expect(close.code).toBe(1000);
    const error = await client.infer(defaultObservation()).catch((e: unknown) => e as HarnessError);
    expect((error as HarnessError).code).toBe(SessionFailure.connectionClosed);
  });
});

describe('SessionClient: every typed failure, with its evidence', () => {
  it('SERVER_ERROR for an unknown model: the text, close 1008 and reason', async () => {
    const error = await failureOf({ url: url('normal'), model: 'nope' });
    expect(error.code).toBe(SessionFailure.serverError);
    expect(error.message).toContain("Policy not found: nope. Available: ['alpha', 'beta']");
    expect(error.evidence).toMatchObject({ closeCode: 1008, closeReason: 'Policy not found', diagnosis: 'server-error', serverError: "Policy not found: nope. Available: ['alpha', 'beta']" });
    expect(error.evidence.timeline).toEqual(expect.arrayContaining([expect.stringContaining('"status":"error"'), expect.stringContaining('closed 1008')]));
  });

  it('CLOSED_DURING_HANDSHAKE (1000) when the load raises and the server closes without an error frame', async () => {
    const error = await failureOf({ url: url('fail-load') });
    expect(error.code).toBe(SessionFailure.closedDuringHandshake);
    expect(error.evidence).toMatchObject({ closeCode: 1000, diagnosis: 'closed-without-error' });
    expect(error.evidence.framesReceived).toBeGreaterThan(0);
    expect(error.message).toContain('without an error frame');
  });

  it('CLOSED_DURING_HANDSHAKE (1006) when the server crashes mid-load: named a crash, not a slow load', async () => {
    const error = await failureOf({ url: url('crash'), messageTimeoutMs: 5000 });
    expect(error.code).toBe(SessionFailure.closedDuringHandshake);
    expect(error.evidence).toMatchObject({ closeCode: 1006, diagnosis: 'crash' });
    expect(error.message).toContain('crashed');
    expect(error.evidence.testElapsedMs).toBeLessThan(2000);
  });

  it('KEEPALIVE_TIMEOUT when the server blocks its event loop: no frames, no pongs', async () => {
    const error = await failureOf({ url: url('block-a'), pingIntervalMs: 200, pingTimeoutMs: 300, messageTimeoutMs: 5000 });
    expect(error.code).toBe(SessionFailure.keepaliveTimeout);
    expect(error.evidence.diagnosis).toBe('event-loop-blocked');
    expect(error.message).toContain('blocks its event loop');
    expect(error.evidence.testElapsedMs).toBeLessThan(1400);
  });

  it('MESSAGE_TIMEOUT on a blocked event loop says no pong came either', async () => {
    const error = await failureOf({ url: url('block-b'), pingIntervalMs: 200, pingTimeoutMs: 5000, messageTimeoutMs: 700 });
    expect(error.code).toBe(SessionFailure.messageTimeout);
    expect(error.evidence.diagnosis).toBe('event-loop-blocked');
    expect(error.evidence.sinceLastFrameMs).toBeGreaterThanOrEqual(690);
    expect(error.evidence.lastObserved).toContain('Loading policy alpha');
  });

  it('MESSAGE_TIMEOUT on a live server that stops sending updates: pongs still come', async () => {
    const error = await failureOf({ url: url('slow-updates'), pingIntervalMs: 150, pingTimeoutMs: 2000, messageTimeoutMs: 600 });
    expect(error.code).toBe(SessionFailure.messageTimeout);
    expect(error.evidence.diagnosis).toBe('updates-stopped');
    expect(error.message).toMatch(/it answered the (?:\d+ keepalive pings|keepalive ping) sent since the last frame \(keepalive: the ping sent at /);
  });

  it('a missing token is refused with 1008 before any frame; the right one gets a session', async () => {
    const error = await failureOf({ url: url('token') });
    expect(error.code).toBe(SessionFailure.closedDuringHandshake);
    expect(error.evidence).toMatchObject({ closeCode: 1008, closeReason: 'Unauthorized', diagnosis: 'refused', framesReceived: 0 });
    expect(error.hint).toContain('--token');
    const { client, ready } = await SessionClient.connect({ url: url('token'), token: TOKEN });
    await client.close();
    expect(ready.meta.model_name).toBe('alpha');
    expect(JSON.stringify(error.evidence)).not.toContain(TOKEN);
  });

  it('PROTOCOL_VIOLATION when a message is larger than maxPayload', async () => {
    const { client } = await SessionClient.connect({ url: url('normal'), maxPayload: 200 });
    const error = await client.infer(defaultObservation()).catch((e: unknown) => e as HarnessError);
    await client.close();
    expect((error as HarnessError).code).toBe(SessionFailure.protocolViolation);
    expect((error as HarnessError).evidence.errorCode).toBe('WS_ERR_UNSUPPORTED_MESSAGE_LENGTH');
    expect((error as HarnessError).message).toContain('the limit is 200 bytes');
  });

  it('CONNECT_FAILED when nothing listens', async () => {
    const port = await getPort({ host: '127.0.0.1' });
    const error = await failureOf({ url: `ws://127.0.0.1:${port}` });
    expect(error.code).toBe(SessionFailure.connectFailed);
    expect(error.evidence.errorCode).toBe('ECONNREFUSED');
  });
});

describe('SessionClient: failures a misbehaving peer causes', () => {
  const closers: Array<() => Promise<void>> = [];
  afterAll(async () => {
    await Promise.all(closers.map((close) => close()));
  });

  /** A WebSocket server that plays a script of frames to every session. */
  async function scripted(frames: Array<Uint8Array | string>): Promise<string> {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => wss.once('listening', resolve));
    wss.on('connection', (ws: WebSocket) => {
      for (const frame of frames) ws.send(frame, { binary: typeof frame !== 'string' });
    });
    closers.push(async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise((resolve) => wss.close(resolve));
    });
    return `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
  }

  it.each([
    ['a TEXT frame', ['{"status": "ready"}'], 'TEXT frame'],
    ['bytes that are not msgpack', [Uint8Array.from([0xc1, 0x00])], 'MSGPACK_DECODE'],
    ['a malformed array', [encodeMessage({ status: 'loading', message: 'x' }), new Encoder().encode({ status: 'loading', message: { __ndarray__: true, data: new Uint8Array(0), dtype: '<f4', shape: [0] } })], 'NDARRAY_STR_KEYS'],
    ['an unknown status', [encodeMessage({ status: 'booting', message: 'warming up' })], 'unknown status "booting"'],
    ['a ready frame without meta', [encodeMessage({ status: 'ready' })], 'no meta'],
  ])('PROTOCOL_VIOLATION for %s', async (_, frames, text) => {
    const error = await failureOf({ url: await scripted(frames as Array<Uint8Array | string>), messageTimeoutMs: 3000 });
    expect(error.code).toBe(SessionFailure.protocolViolation);
    expect(error.message).toContain(text);
    expect(error.evidence.diagnosis).toBe('protocol-violation');
  });

  it('CLOSED_DURING_HANDSHAKE (1006) before any frame: timed from the socket open, not "after the last frame"', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => wss.once('listening', resolve));
    wss.on('connection', (ws: WebSocket) => ws.terminate());
    closers.push(() => new Promise((resolve) => wss.close(() => resolve(undefined))));
    const error = await failureOf({ url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, messageTimeoutMs: 3000 });
    expect(error.code).toBe(SessionFailure.closedDuringHandshake);
    expect(error.message).toMatch(/after 0 frames: the connection dropped without a close frame \(1006\) \S+ m?s after the socket opened, before any frame: /);
    expect(error.message).not.toContain('after the last frame');
  });

  it('OPEN_TIMEOUT when the TCP connection opens but the upgrade is never answered', async () => {
    const held: Socket[] = [];
    const server = createTcpServer((socket) => held.push(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(async () => {
      for (const socket of held) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    });
    const error = await failureOf({ url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`, openTimeoutMs: 300 });
    expect(error.code).toBe(SessionFailure.openTimeout);
    expect(error.evidence.testElapsedMs).toBeLessThan(1500);
  });

  it('CONNECT_FAILED with the HTTP status when the upgrade is refused (403)', async () => {
    const server: Server = createHttpServer();
    server.on('upgrade', (_request, socket) => socket.end('HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: 9\r\nConnection: close\r\n\r\nforbidden'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => server.close(() => resolve())));
    const error = await failureOf({ url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}` });
    expect(error.code).toBe(SessionFailure.connectFailed);
    expect(error.evidence.httpStatus).toBe(403);
    expect(error.hint).toContain('--token');
  });
});

describe('diagnoseSilence', () => {
  it('tells a blocked event loop from stopped updates from not knowing', () => {
    const blocked = new FrameLog('t');
    const now = performance.now();
    blocked.record('local', 'open', 0, 'open', undefined, now - 2000);
    blocked.record('in', 'binary', 10, 'loading', undefined, now - 1500);
    blocked.record('out', 'ping', 0, 'ping', undefined, now - 1000);
    expect(diagnoseSilence(blocked, 100).diagnosis).toBe('event-loop-blocked');
    expect(diagnoseSilence(blocked, 100).text).toBe('the keepalive ping sent since the last frame got no pong: the server blocks its event loop while loading (no frames, no pongs), e.g. it loads the model in-process');
    blocked.record('in', 'pong', 0, 'pong', undefined, now - 990);
    expect(diagnoseSilence(blocked, 100).diagnosis).toBe('updates-stopped');
    const quiet = new FrameLog('t');
    quiet.record('local', 'open', 0, 'open');
    expect(diagnoseSilence(quiet, 20_000).diagnosis).toBe('silent');
  });

  it('words the pings for one ("the keepalive ping") and for several ("the 2 keepalive pings")', () => {
    const now = performance.now();
    const twoPings = (answered: boolean): FrameLog => {
      const log = new FrameLog('t');
      log.record('local', 'open', 0, 'open', undefined, now - 3000);
      log.record('in', 'binary', 10, 'loading', undefined, now - 2500);
      for (const at of [now - 2000, now - 1000]) {
        log.record('out', 'ping', 0, 'ping', undefined, at);
        if (answered) log.record('in', 'pong', 0, 'pong', undefined, at + 10);
      }
      return log;
    };
    expect(diagnoseSilence(twoPings(false), 100).text).toMatch(/^none of the 2 keepalive pings sent since the last frame got a pong: /);
    expect(diagnoseSilence(twoPings(true), 100).text).toMatch(/^it answered the 2 keepalive pings sent since the last frame \(/);
  });
});
