import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeWorkerId } from '../../tasks/e2e/multi-node.ts';
import { HiveClient } from '../../tasks/lib/e2e/hive-client.ts';

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A hive that drops the connection of the first `drops` requests, then answers a worker. */
async function droppingHive(drops: number): Promise<{ url: string; requests: () => number }> {
  let seen = 0;
  server = createServer((req, res) => {
    seen += 1;
    if (seen <= drops) return void req.socket.destroy();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ worker_id: 'w-1', url: 'http://127.0.0.1:1', state: 'Ready' }));
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests: () => seen };
}

describe('hive client', () => {
  it('sends a GET again, once, when its connection was reset', async () => {
    const hive = await droppingHive(1);
    expect((await new HiveClient(hive.url).worker('w-1'))?.state).toBe('Ready');
    expect(hive.requests()).toBe(2);
  });

  it('fails on a second reset, and never resends a POST (a spawn is not idempotent)', async () => {
    const twice = await droppingHive(2);
    await expect(new HiveClient(twice.url).worker('w-1')).rejects.toMatchObject({ code: 'HIVE_UNREACHABLE' });
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    const once = await droppingHive(1);
    await expect(new HiveClient(once.url).stop('w-1')).rejects.toMatchObject({ code: 'HIVE_UNREACHABLE' });
    expect(once.requests()).toBe(1);
  });
});

describe('per-node worker ids', () => {
  it('are unique as substrings, so a process search for one never finds another', () => {
    const ids = Array.from({ length: 40 }, (_, i) => nodeWorkerId('e2e-worker-x', i, `node-${i + 1}`));
    for (const id of ids) expect(ids.filter((other) => other.includes(id))).toEqual([id]);
    expect(nodeWorkerId('w', 0, 'gpu:1')).toBe('w-1-gpu-1');
  });
});
