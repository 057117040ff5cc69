#!/usr/bin/env node
// A lightweight stand-in for the reference worker in the fleet bench: the seed API (GET /v1/health,
// GET /v1/ready, POST /v1/inference as JSON) and seed heartbeats (Loading, then Ready, every
// --heartbeat-interval seconds), with no model and no tsx: plain Node, so 32 of them fit on a
// small machine. Its "tokens" are words; what the bench measures is the harness, not inference.
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { 'worker-id': { type: 'string' }, port: { type: 'string' }, 'hive-url': { type: 'string' }, 'heartbeat-interval': { type: 'string' } }, strict: false });
const workerId = String(values['worker-id'] ?? 'stand-in');
const intervalMs = Number(values['heartbeat-interval'] ?? 1) * 1000;
let state = 'Loading';

const reply = (res, status, body) => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
};

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/v1/health') return reply(res, 200, { status: 'healthy', model_loaded: state === 'Ready' });
  if (req.method === 'GET' && req.url === '/v1/ready') return reply(res, 200, { ready: state === 'Ready' });
  if (req.method === 'POST' && req.url === '/v1/inference') {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      let maxTokens = 8;
      try {
        maxTokens = Math.max(1, Math.min(64, Number(JSON.parse(Buffer.concat(chunks).toString()).max_tokens) || 8));
      } catch {
        return reply(res, 400, { error: 'bad_json' });
      }
      reply(res, 200, { text: Array.from({ length: maxTokens }, (_, i) => `w${i}`).join(' '), tokens: maxTokens, finish_reason: 'length' });
    });
    return;
  }
  reply(res, 404, { error: 'not_found' });
});

let timer;
const beat = () => {
  if (!values['hive-url']) return;
  fetch(`${values['hive-url']}/heartbeat/workers`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ worker_id: workerId, state }), signal: AbortSignal.timeout(2000) }).catch(() => undefined);
};

server.listen(Number(values.port ?? 0), '127.0.0.1', () => {
  process.stdout.write(`stand-in ${workerId} listening on 127.0.0.1:${server.address().port}\n`);
  beat();
  timer = setInterval(beat, intervalMs);
  setTimeout(() => {
    state = 'Ready';
    beat();
  }, 20);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    clearInterval(timer);
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
