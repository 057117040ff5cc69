import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeProgram } from '../../tasks/lib/process/node-program.ts';
import { http } from '../../tasks/lib/http/http-client.ts';
import { isPidAlive } from '../../tasks/lib/process/process-groups.ts';
import { ProcessGuard } from '../../tasks/lib/process/process-guard.ts';
import { launchPolicyServer, type LaunchedServer } from '../../tasks/lib/status-protocol/policy-server-launcher.ts';
import { trainingServerArgv } from '../../tasks/lib/status-protocol/training/training-server-launcher.ts';
import { waitFor } from '../../tasks/lib/wait-strategies/wait-for.ts';

/** The reference training server on its own: a trainer child process writes progress.json, the server reads and serves it. */
describe('reference training server', () => {
  const workDir = mkdtempSync(join(tmpdir(), 'hivecheck-training-test-'));
  let server: LaunchedServer;
  const base = (): string => server.baseUrl.replace(/^ws/, 'http');
  /** Polls GET /jobs/job_t until the job reaches `status`; fails at once if the server exits. */
  const whenJob = async (...statuses: string[]): Promise<Record<string, unknown>> => {
    const outcome = await waitFor(
      async () => {
        const body = JSON.parse((await http(`${base()}/jobs/job_t`)).text) as Record<string, unknown>;
        return statuses.includes(String(body.status)) ? { ready: true, value: body } : { ready: false, observed: String(body.status) };
      },
      { description: `the job to be ${statuses.join(' or ')}`, timeoutMs: 30_000, failFastOn: [server.guard] },
    );
    return outcome.value as Record<string, unknown>;
  };

  beforeAll(async () => {
    const argv = [...trainingServerArgv({ jobId: 'job_t', steps: 40, epochs: 2, stepIntervalSeconds: 0.05, maxConnections: 10 }), '--work-dir', workDir];
    server = await launchPolicyServer({ start: (options) => ProcessGuard.start(options), argv, name: 'training-server', flag: 'test', startTimeoutMs: 30_000, readyPath: '/jobs/job_t' });
  });

  afterAll(async () => {
    await server?.guard.stop();
    rmSync(workDir, { recursive: true, force: true });
  });

  it('runs the job in a trainer child process that writes progress.json, and serves it over REST', async () => {
    // The whole job takes ~2 s: on a busy machine it may be over by the first look.
    expect(await whenJob('running', 'completed')).toMatchObject({ job_id: 'job_t', total_steps: 40, total_epochs: 2, websocket_connections: 0, max_connections: 10 });
    const file = join(workDir, 'progress.json');
    expect(existsSync(file)).toBe(true);
    const progress = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    expect(progress).toMatchObject({ total_steps: 40 });
    expect(String(progress.updated_at)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const trainer = /"event":"trainer-started".*?"pid":(\d+)/.exec(server.guard.tail(200).join('\n'));
    expect(trainer, server.guard.tail(50).join('\n')).not.toBeNull();
    expect(Number(trainer?.[1])).not.toBe(server.guard.pid); // a real child process
  });

  it('answers 404 naming the job for an unknown one', async () => {
    const response = await http(`${base()}/jobs/nope`);
    expect(response.status).toBe(404);
    expect(JSON.parse(response.text)).toEqual({ detail: 'Job not found: nope' });
  });

  it('the loss falls: the completed job reports a final loss under 0.5 (it starts near 2.5)', async () => {
    const done = await whenJob('completed');
    expect(done).toMatchObject({ status: 'completed', progress: 100, current_step: 40 });
    expect(done.final_loss as number).toBeLessThan(0.5);
  });

  it('stops with its trainer: nothing of its process group is left', async () => {
    const trainer = Number(/"event":"trainer-started".*?"pid":(\d+)/.exec(server.guard.tail(500).join('\n'))?.[1]);
    await server.guard.stop();
    expect(isPidAlive(server.guard.pid)).toBe(false);
    expect(isPidAlive(trainer)).toBe(false);
  });

  it('refuses bad flags with exit 2 and the usage', async () => {
    await using guard = await ProcessGuard.start({ name: 'bad-flags', command: process.execPath, args: [...nodeProgram('training-server').slice(1), '--fault', 'nope'] });
    const exit = await guard.exited;
    expect(exit.code).toBe(2);
    expect(guard.tail(100).join('\n')).toContain("--fault must be one of slow-updates, drop-completion, leak, wrong-schema, trainer-crash, silent-crash, no-connection-cap, got 'nope'");
  });
});
