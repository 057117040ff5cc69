import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MockHive } from '../../mock-hive/mock-hive-server.ts';
import { newHiveToken } from '../../tasks/worker-test/remote-plan.ts';
import { http } from '../../tasks/lib/http/http-client.ts';

const TOKEN = newHiveToken();
let hive: MockHive;

beforeAll(async () => {
  hive = await MockHive.start({ host: '127.0.0.2', token: TOKEN, pool: { launcher: () => ['/bin/false'] } });
});
afterAll(async () => {
  await hive.close();
});

const beat = (headers: Record<string, string> = {}) =>
  http(`${hive.url}/heartbeat/workers`, { method: 'POST', body: '{"worker_id":"w-1","state":"Ready"}', headers: { 'content-type': 'application/json', ...headers } });

describe('a mock hive with a per-run token', () => {
  it('makes tokens a worker can take as a flag value: never one that starts with "-"', () => {
    const tokens = Array.from({ length: 2000 }, () => newHiveToken());
    expect(tokens.filter((token) => !/^[0-9a-f]{64}$/.test(token))).toEqual([]);
    expect(new Set(tokens).size).toBe(tokens.length);
  });

  it('listens on the address asked for', () => {
    expect(hive.url).toMatch(/^http:\/\/127\.0\.0\.2:\d+$/);
    expect(hive.requiresToken).toBe(true);
  });

  it.each([
    ['no Authorization', {}, 'no hive token'],
    ['a wrong token', { authorization: `Bearer ${newHiveToken()}` }, 'wrong hive token'],
    ['another scheme', { authorization: `Basic ${TOKEN}` }, 'Authorization is not "Bearer <token>"'],
  ])('refuses a heartbeat with %s: 401, a hive log line, no registration', async (_what, headers, reason) => {
    const response = await beat(headers);
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toContain('Bearer');
    expect(JSON.parse(response.text).error).toBe('unauthorized');
    expect(hive.log.lines().at(-1)).toMatch(new RegExp(`Rejected heartbeat on /heartbeat/workers \\(401\\): ${reason.replace(/[()<>"]/g, '.')}.*from 127\\.0\\.0\\.1`));
    expect(hive.log.heartbeats()).toEqual([]);
    expect(hive.pool?.list()).toEqual([]);
  });

  it('refuses a spawn request without the token before looking at it (401, logged, nothing spawned)', async () => {
    const response = await http(`${hive.url}/v1/workers/spawn`, { method: 'POST', body: '{"model_path":"/nope.gguf","backend":"cpu"}', headers: { 'content-type': 'application/json' } });
    expect(response.status).toBe(401);
    expect(hive.log.lines().at(-1)).toContain('Refused POST /v1/workers/spawn from 127.0.0.1 (401): no hive token');
    expect(hive.pool?.list()).toEqual([]);
  });

  it('accepts a heartbeat that carries the token, and never logs the token', async () => {
    const response = await beat({ authorization: `Bearer ${TOKEN}` });
    expect(response.status).toBe(200);
    expect(hive.log.heartbeats().map((b) => b.workerId)).toEqual(['w-1']);
    expect(hive.log.lines().join('\n')).not.toContain(TOKEN);
  });

  it('answers GET /v1/health without the token (pool preflight)', async () => {
    expect((await http(`${hive.url}/v1/health`)).status).toBe(200);
  });

  it('will not listen beyond loopback without a token', async () => {
    await expect(MockHive.start({ host: '0.0.0.0' })).rejects.toMatchObject({ code: 'HIVE_TOKEN_REQUIRED' });
  });
});
