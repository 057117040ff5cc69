import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { FaultProxy } from '../../tasks/lib/fault-proxy/fault-proxy.ts';
import { Timeline, withTimeline } from '../../tasks/lib/report/timeline.ts';

/** A TCP echo server that also remembers how each of its sockets ended. */
async function echoServer(): Promise<{ server: Server; port: number; sockets: Socket[]; ends: string[] }> {
  const sockets: Socket[] = [];
  const ends: string[] = [];
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    sockets.push(socket);
    socket.on('data', (chunk) => socket.write(chunk));
    socket.on('end', () => {
      ends.push('fin');
      socket.end();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => ends.push(error.code ?? 'error'));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as { port: number }).port, sockets, ends };
}

async function connect(port: number): Promise<{ socket: Socket; received: () => string; ended: Promise<string> }> {
  const socket = createConnection({ host: '127.0.0.1', port });
  let text = '';
  socket.on('data', (chunk) => (text += chunk.toString()));
  const ended = new Promise<string>((resolve) => {
    socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    socket.on('end', () => resolve('fin'));
  });
  await once(socket, 'connect');
  return { socket, received: () => text, ended };
}

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function setup() {
  const echo = await echoServer();
  cleanup.push(() => new Promise<void>((resolve) => echo.server.close(() => resolve())));
  const proxy = await FaultProxy.start({ name: 'test', targetPort: echo.port });
  cleanup.push(() => proxy.close());
  const client = await connect(proxy.port);
  cleanup.push(() => void client.socket.destroy());
  await until(() => proxy.connections.length === 1 && echo.sockets.length === 1);
  return { echo, proxy, client };
}

describe('FaultProxy', () => {
  it('forwards both ways and counts bytes and connections', async () => {
    const { proxy, client } = await setup();
    client.socket.write('hello');
    await until(() => client.received() === 'hello');
    expect(proxy.counts()).toMatchObject({ accepted: 1, open: 1, bytesUp: 5, bytesDown: 5, refused: 0 });
  });

  it('adds latency on an open connection, in order', async () => {
    const { proxy, client } = await setup();
    proxy.setFault({ kind: 'latency', ms: 150, jitterMs: 20 }, { direction: 'up' });
    const started = performance.now();
    client.socket.write('a');
    client.socket.write('b');
    await until(() => client.received() === 'ab');
    expect(performance.now() - started).toBeGreaterThanOrEqual(145);
  });

  it('black hole swallows data and sends neither FIN nor RST, on a connection already open', async () => {
    const { proxy, client, echo } = await setup();
    client.socket.write('before');
    await until(() => client.received() === 'before');
    proxy.setFault({ kind: 'blackhole' });
    client.socket.write('lost');
    await until(() => proxy.counts().swallowedUp === 4);
    client.socket.end(); // the client's FIN must not reach the server
    await until(() => proxy.connections[0]?.clientEnd() !== undefined);
    expect(echo.ends).toEqual([]);
    expect(client.received()).toBe('before');
    expect(proxy.events.map((event) => event.action)).toEqual(['set']);
  });

  it('resets both sides on the next data', async () => {
    const { proxy, client, echo } = await setup();
    proxy.setFault({ kind: 'reset-on-data' }, { direction: 'up', connection: 1 });
    client.socket.write('x');
    expect(await client.ended).toBe('ECONNRESET');
    await until(() => echo.ends.includes('ECONNRESET'));
    expect(proxy.events.find((event) => event.action === 'triggered')?.description).toMatch(/reset both sides/);
  });

  it('closes after N bytes', async () => {
    const { proxy, client } = await setup();
    proxy.setFault({ kind: 'close-after', bytes: 3 }, { direction: 'up' });
    client.socket.write('abcdef');
    expect(await client.ended).toBe('fin');
    expect(proxy.counts().bytesUp).toBe(3);
  });

  it('refuses new connections and records every fault on the run timeline', async () => {
    const timeline = new Timeline();
    await withTimeline(timeline, async () => {
      const { proxy } = await setup();
      proxy.refuse(true);
      const second = await new Promise<string>((resolve) => {
        const socket = createConnection({ host: '127.0.0.1', port: proxy.port });
        socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
        socket.on('close', () => resolve('closed'));
      });
      expect(second).toMatch(/ECONNRESET|closed/);
      expect(proxy.counts()).toMatchObject({ accepted: 1, refused: 1 });
    });
    expect(timeline.events.filter((event) => event.lane === 'faults').map((event) => event.detail?.action)).toEqual(['refuse-on', 'refused']);
  });
});
