import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import getPort from 'get-port';
import { describe, expect, it } from 'vitest';
import type { ReportJson } from '../../tasks/lib/report/run-report.ts';
import { http } from '../../tasks/lib/http/http-client.ts';
import { runCli } from '../../tasks/runner/run-cli.ts';
import { TASKS } from '../../tasks/task-table.ts';
import { repoPath } from '../helpers/fixture-path.ts';
import { runTask, verdicts } from '../helpers/run-task-in-process.ts';
import { spawnWorker, startReadyWorker, type StartedWorker } from '../reference-worker/worker-process.ts';

/** Every file under a folder, read as text (the report and the run's logs). */
function allText(dir: string): string {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile())
    .map((path) => readFileSync(path, 'utf8'))
    .join('\n');
}

describe('worker:test --url (a worker the harness did not start)', () => {
  it('with --hive-bind: prints the hive URL and token once; the worker started by hand heartbeats with it; a heartbeat without it gets 401 and is logged', async () => {
    const reportDir = mkdtempSync(join(tmpdir(), 'hivecheck-remote-'));
    const workerPort = await getPort({ host: '127.0.0.1' });
    let output = '';
    let worker: Promise<StartedWorker> | undefined;
    let intruder: Promise<number> | undefined;
    const sink = {
      isTTY: false,
      write: (text: string) => {
        output += text;
        const given = /--hive-url (\S+)\s+--hive-token (\S+)/.exec(output);
        if (given && !worker) {
          const [, hiveUrl, token] = given as unknown as [string, string, string];
          intruder = http(`${hiveUrl}/heartbeat/workers`, { method: 'POST', body: '{"worker_id":"intruder","state":"Ready"}', headers: { 'content-type': 'application/json' } }).then((r) => r.status);
          worker = spawnWorker('remote', ['--hive-url', hiveUrl, '--hive-token', token, '--heartbeat-interval', '0.3'], { port: workerPort });
        }
      },
    };
    const args = ['worker:test', '--url', `http://127.0.0.1:${workerPort}`, '--hive-bind', '127.0.0.2', '--worker-id', 'test-worker-remote', '--heartbeat-interval', '0.3', '--timeout', '120', '--report', reportDir];
    let exitCode: number;
    try {
      exitCode = await runCli(args, TASKS, { stdout: sink, stderr: sink, env: { ...process.env, CI: 'true' }, cwd: repoPath('') });
    } finally {
      await (await worker)?.guard.stop();
    }
    expect(exitCode, output).toBe(0);
    expect(await intruder).toBe(401);
    const report = JSON.parse(readFileSync(join(reportDir, 'report.json'), 'utf8')) as ReportJson;
    expect(verdicts(report)).toMatchObject({ health: 'pass', ready: 'pass', heartbeats: 'pass', 'heartbeat states': 'pass', 'heartbeat interval': 'pass', 'inference JSON POST /v1/inference': 'pass', 'process watch (crash, hang)': 'skip', teardown: 'skip' });
    // The whole hive log (a slow start sends many Loading heartbeats: the report's tail may not reach back to the 401).
    const hiveLog = readFileSync(report.logs.find((log) => log.name === 'mock-hive heartbeats')?.path as string, 'utf8');
    expect(hiveLog).toMatch(/Rejected heartbeat on \/heartbeat\/workers \(401\): no hive token/);
    expect(hiveLog).not.toContain('from worker: intruder');
    const token = /--hive-token (\S+)/.exec(output)?.[1] as string;
    expect(output.split(token).length - 1, 'the token is printed exactly once').toBe(1);
    expect(allText(reportDir)).not.toContain(token);
  });

  it('without --hive-bind: the heartbeat checks are skipped with the reason, the rest pass', async () => {
    await using worker = await startReadyWorker('remote-no-hive', '/v1/ready');
    const run = await runTask(['worker:test', '--url', worker.baseUrl, '--worker-id', worker.workerId, '--stream', 'json']);
    expect(run.exitCode, run.output).toBe(0);
    expect(verdicts(run.report)).toEqual({ health: 'pass', ready: 'pass', heartbeats: 'skip', 'heartbeat states': 'skip', 'heartbeat interval': 'skip', 'inference JSON POST /v1/inference': 'pass', 'process watch (crash, hang)': 'skip', teardown: 'skip' });
    expect(run.report.checks.find((check) => check.name === 'heartbeats')?.detail).toContain('--hive-bind');
  });

  it('fails when nothing answers at --url (exit 1), and refuses flags that start a worker (exit 2)', async () => {
    const port = await getPort({ host: '127.0.0.1' });
    const dead = await runTask(['worker:test', '--url', `http://127.0.0.1:${port}`, '--timeout', '1']);
    expect(dead.exitCode, dead.output).toBe(1);
    expect(dead.report.checks.find((check) => check.name === 'health')?.verdict).toBe('fail');
    const conflict = await runTask(['worker:test', '--url', `http://127.0.0.1:${port}`, '--worker-cmd', 'x --port {port}']);
    expect(conflict.exitCode).toBe(2);
    expect(conflict.report.error?.code).toBe('FLAGS_CONFLICT');
    const noToken = await runTask(['worker:test', '--worker-cmd', 'x --port {port} --hive-token {hiveToken}']);
    expect(noToken.exitCode).toBe(2);
    expect(noToken.report.error?.message).toContain('{hiveToken}, but the hive has no token');
    const badBind = await runTask(['worker:test', '--url', `http://127.0.0.1:${port}`, '--hive-bind', 'my-laptop']);
    expect(badBind.exitCode).toBe(2);
    expect(badBind.report.error?.message).toContain('--hive-bind takes an IP address');
  });
});
