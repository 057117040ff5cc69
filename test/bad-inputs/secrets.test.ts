import { readdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { fixturePath } from '../helpers/fixture-path.ts';
import { runTask } from '../helpers/run-task-in-process.ts';

// Bearer tokens and Authorization values never reach a log dump, the report, junit.xml or a log
// file, even when the process under test prints them and the run fails (so the logs are dumped).
const BEARER = 'sk-live-BEARER-5f1e2d3c4b5a69788796a5b4';
const BASIC = 'dXNlcjpwYXNzd29yZC1CQVNJQy0xMjM0NQ==';
const HF = 'hf_SECRETxYzAbCdEfGhIjKlMnOpQrStUv';
const CLI_TOKEN = 'cli-TOKEN-0a9b8c7d6e5f4a3b';

function everythingWritten(reportDir: string, output: string): string {
  const files = [join(reportDir, 'report.json'), join(reportDir, 'junit.xml'), ...readdirSync(join(reportDir, 'logs')).map((name) => join(reportDir, 'logs', name))];
  return [output, ...files.map((file) => readFileSync(file, 'utf8'))].join('\n');
}

const saved = { ...process.env };
afterAll(() => {
  process.env = saved;
});

describe('secrets in a failing run', () => {
  it('worker:test: a worker printing Bearer/Basic Authorization values and HF_TOKEN, with a token on its command line', async () => {
    Object.assign(process.env, { LEAK_BEARER: BEARER, LEAK_BASIC: BASIC, HF_TOKEN: HF });
    const worker = fixturePath('processes/bad-http-worker.mjs');
    const run = await runTask(['worker:test', '--profile', 'openai', '--worker-cmd', `${process.execPath} ${worker} --port {port} --mode leak-and-crash --api-key ${CLI_TOKEN}`]);
    expect(run.exitCode).toBe(1);
    const written = everythingWritten(run.reportDir, run.output);
    expect(written).toContain('sending Authorization: [REDACTED]'); // the dump happened, masked
    expect(written).toContain('HF_TOKEN=[REDACTED]');
    for (const secret of [BEARER, BASIC, HF, CLI_TOKEN]) expect(written, `${secret} leaked`).not.toContain(secret);
  });

  it('status-protocol:test --token: the token sent as Authorization: Bearer appears nowhere', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => wss.once('listening', resolve));
    const seen: string[] = [];
    wss.on('connection', (ws, request) => {
      seen.push(String(request.headers.authorization));
      ws.send('{"status": "ready"}'); // a bad frame: the run fails and dumps what it has
    });
    try {
      const run = await runTask(['status-protocol:test', '--url', `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, '--token', CLI_TOKEN, '--message-timeout', '1.5']);
      expect(run.exitCode).toBe(1);
      expect(seen).toContain(`Bearer ${CLI_TOKEN}`); // it was really sent
      expect(everythingWritten(run.reportDir, run.output)).not.toContain(CLI_TOKEN);
    } finally {
      for (const client of wss.clients) client.terminate();
      await new Promise((resolve) => wss.close(resolve));
    }
  });
});
