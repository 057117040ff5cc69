import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MockHive } from '../../mock-hive/mock-hive-server.ts';
import { HarnessError } from '../../tasks/lib/errors/harness-error.ts';
import { http } from '../../tasks/lib/http/http-client.ts';

let hive: MockHive;

beforeAll(async () => {
  hive = await MockHive.start({ maxBodyBytes: 1024 });
});
afterAll(async () => {
  await hive.close();
});

const post = (route: string, body: string, contentType = 'application/json') => http(`${hive.url}${route}`, { method: 'POST', body, headers: { 'content-type': contentType } });

describe('mock hive heartbeat validation', () => {
  it.each([
    ['/heartbeat/workers', '{"worker_id":', 'application/json', 'bad_json', 'body is not valid JSON'],
    ['/heartbeat/workers', '{"worker_id":"w","state":"Ready"}', 'text/plain', 'unsupported_content_type', 'content-type must be application/json, got "text/plain"'],
    ['/heartbeat/workers', '{"state":"Ready"}', 'application/json', 'invalid_heartbeat', 'missing worker_id'],
    ['/heartbeat/workers', '{"worker_id":"  ","state":"Ready"}', 'application/json', 'invalid_heartbeat', 'worker_id is empty'],
    ['/heartbeat/workers', '{"worker_id":42,"state":"Ready"}', 'application/json', 'invalid_heartbeat', 'worker_id must be a string, got number'],
    ['/heartbeat/workers', '{"worker_id":"w","state":"Dancing"}', 'application/json', 'invalid_heartbeat', 'unknown state "Dancing"'],
    ['/heartbeat/workers', '{"worker_id":"w"}', 'application/json', 'invalid_heartbeat', 'missing state'],
    ['/heartbeat/workers', '[1,2]', 'application/json', 'invalid_heartbeat', 'body must be a JSON object, got an array'],
    ['/heartbeat/workers', `{"worker_id":"w","state":"Ready","pad":"${'x'.repeat(2000)}"}`, 'application/json', 'body_too_large', 'exceeds the 1024-byte limit'],
    ['/v1/heartbeat', '{"worker_id":"w","health_status":"healthy"}', 'application/json', 'invalid_heartbeat', 'missing timestamp'],
    ['/v1/heartbeat', '{"worker_id":"w","timestamp":"yesterday","health_status":"healthy"}', 'application/json', 'invalid_heartbeat', 'timestamp "yesterday" is not RFC 3339'],
    ['/v1/heartbeat', '{"worker_id":"w","timestamp":"2025-11-06T12:30:00Z","health_status":"great"}', 'application/json', 'invalid_heartbeat', 'unknown health_status "great"'],
  ])('%s %s → 400', async (route, body, type, error, reason) => {
    const response = await post(route, body, type);
    expect(response.status).toBe(400);
    const answer = JSON.parse(response.text);
    expect(answer.error).toBe(error);
    expect(answer.reason).toContain(reason);
    expect(hive.log.lines().at(-1)).toContain(`Rejected heartbeat on ${route} (400): ${answer.reason}`);
  });

  it('survives a client that hangs up mid-body, then keeps accepting heartbeats', async () => {
    await new Promise<void>((resolve) => {
      const socket = connect(hive.port, '127.0.0.1', () => {
        socket.end('POST /heartbeat/workers HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"worker_id":');
        resolve();
      });
    });
    const ok = await post('/heartbeat/workers', '{"worker_id":"after-hangup","state":"Ready"}');
    expect(ok.status).toBe(200);
  });

  it('accepts both shapes, logs arrival lines and answers {"status":"ok"}', async () => {
    const seed = await post('/heartbeat/workers', '{"worker_id":"test-worker-1","state":"Loading"}');
    expect(seed.status).toBe(200);
    expect(JSON.parse(seed.text)).toEqual({ status: 'ok' });
    await post('/heartbeat/workers', '{"worker_id":"test-worker-1","state":"Ready"}');
    await post('/heartbeat/workers', '{"worker_id":"test-worker-1","state":"Ready"}');
    const later = await post('/v1/heartbeat', '{"worker_id":"test-worker-2","timestamp":"2025-11-06T12:30:00.123+01:00","health_status":"healthy"}');
    expect(later.status).toBe(200);

    expect(hive.log.count('test-worker-1')).toBe(3);
    expect(hive.log.transitions('test-worker-1')).toEqual(['Loading', 'Ready']);
    expect(hive.log.intervalsMs('test-worker-1')).toHaveLength(2);
    expect(hive.log.heartbeats('test-worker-2')[0]?.workerTimestamp).toBe('2025-11-06T12:30:00.123+01:00');
    const lines = hive.log.lines().filter((line) => line.includes('test-worker-'));
    expect(lines[0]).toMatch(/^\[\d\d:\d\d:\d\d\] Heartbeat #\d+ from worker: test-worker-1 State: Loading$/);
    expect(lines.at(-1)).toMatch(/Heartbeat #\d+ from worker: test-worker-2 Health: healthy$/);
  });

  it('answers the pool preflight and lists what it received', async () => {
    const health = await http(`${hive.url}/v1/health`);
    expect(health.status).toBe(200);
    const listing = JSON.parse((await http(`${hive.url}/v1/heartbeats`)).text);
    expect(listing.heartbeats.length).toBe(hive.log.count());
    expect(listing.rejected.length).toBe(hive.log.rejected().length);
    expect((await http(`${hive.url}/nope`)).status).toBe(404);
    expect((await http(`${hive.url}/heartbeat/workers`)).status).toBe(405);
  });
});

describe('waiting for heartbeats', () => {
  it('resolves as the Nth heartbeat arrives, without polling', async () => {
    const waiting = hive.log.waitForHeartbeats('waiter', 2, { timeoutMs: 5000 });
    await post('/heartbeat/workers', '{"worker_id":"waiter","state":"Loading"}');
    await post('/heartbeat/workers', '{"worker_id":"waiter","state":"Ready"}');
    const beats = await waiting;
    expect(beats.map((beat) => beat.state)).toEqual(['Loading', 'Ready']);
  });

  it('times out saying how many came, and from whom', async () => {
    await post('/heartbeat/workers', '{"worker_id":"someone-else","state":"Ready"}');
    const error = await hive.log.waitForHeartbeats('silent-worker', 1, { timeoutMs: 200 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HarnessError);
    expect((error as HarnessError).code).toBe('WAIT_TIMEOUT');
    expect((error as HarnessError).message).toContain('waiting for 1 heartbeat from worker silent-worker at the mock hive');
    expect((error as HarnessError).message).toContain('last observed: 0 of 1 heartbeat from silent-worker (heartbeats also came from:');
  });

  it('refuses a port that is taken, as an environment error', async () => {
    const error = await MockHive.start({ port: hive.port }).catch((e: unknown) => e);
    expect((error as HarnessError).code).toBe('PORT_IN_USE');
    expect((error as HarnessError).exitCode).toBe(3);
  });
});
