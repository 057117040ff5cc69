import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { encodeMessage } from '../../tasks/lib/status-protocol/ndarray-codec.ts';
import { checkNamed, runTask } from '../helpers/run-task-in-process.ts';

// Bad-input catalogue (docs/bad-inputs.md), WebSocket frames: a real status-protocol:test run
// (--url) against a real WebSocket server that plays one bad script to every session. Each row
// asserts the cold-start check's named error and the run's exit code.
const servers: WebSocketServer[] = [];
afterAll(async () => {
  for (const wss of servers) {
    for (const client of wss.clients) client.terminate();
    await new Promise((resolve) => wss.close(resolve));
  }
});

async function scripted(play: (ws: WebSocket) => void): Promise<string> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => wss.once('listening', resolve));
  wss.on('connection', play);
  servers.push(wss);
  return `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
}

const loading = encodeMessage({ status: 'loading', message: 'Loading model (1s)' });

describe('bad WebSocket frames: cold start fails by name, exit 1', () => {
  it.each<[string, (ws: WebSocket) => void, string, string]>([
    ['W1 a TEXT frame where BINARY msgpack belongs', (ws) => ws.send('{"status": "ready"}'), 'PROTOCOL_VIOLATION', 'the server sent a TEXT frame'],
    ['W2 bytes that are not msgpack', (ws) => ws.send(Uint8Array.from([0xc1, 0x00]), { binary: true }), 'PROTOCOL_VIOLATION', 'msgpack'],
    ['W3 a frame above --max-payload (2 MiB > 1 MiB)', (ws) => ws.send(new Uint8Array(2 * 1024 * 1024), { binary: true }), 'PROTOCOL_VIOLATION', 'the limit is 1048576 bytes'],
    ['W4 an unknown status', (ws) => ws.send(encodeMessage({ status: 'booting', message: 'warming up' }), { binary: true }), 'PROTOCOL_VIOLATION', 'unknown status "booting"'],
    ['W5 a clean close (1000) before ready, without an error frame', (ws) => ws.send(loading, { binary: true }, () => ws.close(1000)), 'CLOSED_DURING_HANDSHAKE', '1000'],
    ['W6 the connection dropped without a close frame (1006)', (ws) => ws.send(loading, { binary: true }, () => ws.terminate()), 'CLOSED_DURING_HANDSHAKE', '1006'],
    ['W7 silence: no frame within the per-message timeout', () => undefined, 'MESSAGE_TIMEOUT', 'no frame'],
  ])('%s', async (_, play, code, text) => {
    const url = await scripted(play);
    const run = await runTask(['status-protocol:test', '--url', url, '--message-timeout', '1.5']);
    expect(run.exitCode, run.output).toBe(1);
    const cold = checkNamed(run.report, 'cold start');
    expect(cold.verdict).toBe('fail');
    expect(cold.code).toBe(code);
    expect(cold.detail).toContain(text);
  });
});
