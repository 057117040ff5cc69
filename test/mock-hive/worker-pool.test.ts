import { describe, expect, it } from 'vitest';
import { ensureTinyModel } from '../../fixtures/tiny-model/write-tiny-llama.ts';
import { MockHive } from '../../mock-hive/mock-hive-server.ts';
import { hiveLauncher } from '../../tasks/e2e/hive-launcher.ts';
import { HiveClient } from '../../tasks/lib/e2e/hive-client.ts';
import { http } from '../../tasks/lib/http/http-client.ts';
import { processesMatching } from '../../tasks/lib/process/find-processes.ts';
import { resolveProfile } from '../../tasks/lib/worker/profile-store.ts';
import { fixturePath } from '../helpers/fixture-path.ts';

const startHive = (): Promise<MockHive> =>
  MockHive.start({ pool: { launcher: hiveLauncher({ profile: resolveProfile('seed'), heartbeatIntervalS: 1, threads: 1, contextSize: 256 }), graceMs: 1000 } });

/** A stand-in worker: the wait-test HTTP server on the port the hive gives it (argv template from the spawn request). */
const command = [process.execPath, fixturePath('processes/http-server.mjs'), 'ready', '0', '{port}', '{workerId}'];

describe('mock hive: spawning workers', () => {
  it('refuses a missing model with 422 and spawns nothing (seed 004: no model validation)', async () => {
    await using hive = await startHive();
    const client = new HiveClient(hive.url);
    await expect(client.spawn({ worker_id: 'w-missing-model', model_path: '/nonexistent/model.gguf', model_ref: 'x', backend: 'cpu', device: 0, command })).rejects.toMatchObject({ code: 'HIVE_REFUSED_MODEL', message: expect.stringContaining('does not exist') });
    expect(hive.pool?.list()).toEqual([]);
    expect(processesMatching('w-missing-model')).toEqual([]);
    expect(hive.log.lines().at(-1)).toMatch(/Refused to spawn a worker for \/nonexistent\/model.gguf \(422 MODEL_NOT_FOUND\)/);
  });

  it('spawns a worker under a guard, lists it, follows its heartbeats, and stops its process group', async () => {
    await using hive = await startHive();
    const client = new HiveClient(hive.url);
    const model = await ensureTinyModel();
    const spawned = await client.spawn({ worker_id: 'w-pool-1', model_path: model, model_ref: 'tiny', backend: 'cpu', device: 0, command });
    expect(spawned).toMatchObject({ worker_id: 'w-pool-1', state: 'Starting', backend: 'cpu', model_ref: 'tiny' });
    expect(processesMatching('w-pool-1')).toHaveLength(1);
    await http(`${hive.url}/heartbeat/workers`, { json: { worker_id: 'w-pool-1', state: 'Ready' } });
    expect(await client.worker('w-pool-1')).toMatchObject({ state: 'Ready', heartbeats: 1 });
    const listed = JSON.parse((await http(`${hive.url}/v1/workers`)).text) as { workers: unknown[] };
    expect(listed.workers).toHaveLength(1);
    const stopped = await client.stop('w-pool-1');
    expect(stopped).toMatchObject({ state: 'Stopped', stop: { signal: 'SIGTERM', survivors: [] } });
    expect(processesMatching('w-pool-1')).toEqual([]);
  });

  it('answers 400 for a bad spawn body and 409 for a worker id that is running', async () => {
    await using hive = await startHive();
    const bad = await http(`${hive.url}/v1/workers/spawn`, { json: { backend: 'tpu' } });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text)).toMatchObject({ error: 'invalid_spawn_request', reason: expect.stringContaining('model_path') });
    const model = await ensureTinyModel();
    const body = { worker_id: 'w-pool-dup', model_path: model, backend: 'cpu', device: 0, command };
    expect((await http(`${hive.url}/v1/workers/spawn`, { json: body })).status).toBe(201);
    expect((await http(`${hive.url}/v1/workers/spawn`, { json: body })).status).toBe(409);
  });

  it('closing the hive stops every worker it spawned', async () => {
    const hive = await startHive();
    const model = await ensureTinyModel();
    await new HiveClient(hive.url).spawn({ worker_id: 'w-pool-close', model_path: model, model_ref: 'tiny', backend: 'cpu', device: 0, command });
    expect(processesMatching('w-pool-close')).toHaveLength(1);
    await hive.close();
    expect(processesMatching('w-pool-close')).toEqual([]);
    expect(hive.pool?.get('w-pool-close')?.state).toBe('Stopped');
  });
});
