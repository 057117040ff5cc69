import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MockHive } from '../../mock-hive/mock-hive-server.ts';
import { hiveLauncher } from '../../tasks/e2e/hive-launcher.ts';
import type { NodeOutcome } from '../../tasks/e2e/multi-node.ts';
import { processesMatching } from '../../tasks/lib/process/find-processes.ts';
import { resolveProfile } from '../../tasks/lib/worker/profile-store.ts';
import { newHiveToken } from '../../tasks/worker-test/remote-plan.ts';
import { readWorkersWithPythonSqlite } from '../helpers/python-sqlite.ts';
import { runTask, verdicts } from '../helpers/run-task-in-process.ts';

const registryIn = (): string => join(mkdtempSync(join(tmpdir(), 'hivecheck-nodes-')), 'workers.db');
const PHASES = ['Phase 1: worker registry', 'Phase 2: pool preflight', 'Phase 3-5: worker spawn', 'Phase 6: worker registration', 'Phase 7: worker ready', 'Phase 8: inference'];
const FAST = ['--max-tokens', '4', '--error-interval', '0.1', '--heartbeat-interval', '0.3'];

/** A hive on its own loopback address, as a node of a fleet would run one; `extraArgs` go to every worker it spawns. */
async function nodeHive(address: string, extraArgs: string[] = [], token?: string): Promise<MockHive> {
  return await MockHive.start({ host: address, ...(token ? { token } : {}), pool: { launcher: hiveLauncher({ profile: resolveProfile('seed'), heartbeatIntervalS: 0.3, threads: 1, contextSize: 256, extraArgs }), graceMs: 3000 } });
}

function noWorkerLeft(report: { settings: Record<string, unknown> }): void {
  for (const id of report.settings.workerIds as string[]) expect(processesMatching(id), `processes of ${id}`).toEqual([]);
}

describe('e2e against several hives', () => {
  it('--hive-url ×3, one node whose worker crashes: the others pass, a row per node and phase, the node named, exit 1', async () => {
    await using a = await nodeHive('127.0.0.2');
    await using b = await nodeHive('127.0.0.3');
    await using c = await nodeHive('127.0.0.4', ['--fault=crash-at-start']);
    const registry = registryIn();
    const run = await runTask(['e2e', '--hive-url', `a=${a.url}`, '--hive-url', `b=${b.url}`, '--hive-url', `c=${c.url}`, '--registry', registry, ...FAST]);
    expect(run.exitCode, run.output).toBe(1);
    const v = verdicts(run.report);
    for (const node of ['a', 'b']) {
      for (const phase of PHASES) expect(v[`[${node}] ${phase}`], `${node} ${phase}`).toBe('pass');
      expect(v[`[${node}] teardown: no worker left`]).toBe('pass');
    }
    expect(v['[c] Phase 3-5: worker spawn']).toBe('pass');
    expect(v['[c] Phase 6: worker registration']).toBe('fail');
    expect(v['[c] Phase 8: inference']).toBe('skip');
    expect(run.report.checks.filter((check) => check.name.startsWith('[c] ')).every((check) => check.node === 'c')).toBe(true);
    const nodes = (run.report as unknown as { nodes: NodeOutcome[] }).nodes;
    expect(nodes.map((node) => [node.node, node.verdict, node.failedAt])).toEqual([['a', 'pass', undefined], ['b', 'pass', undefined], ['c', 'fail', 'Phase 6: worker registration']]);
    expect(run.output).toMatch(/Nodes: 2 of 3 passed/);
    expect(run.output).toMatch(/❌ c +Phase 6: worker registration: worker \S+-c exited \(code 1\)/);
    // The registry names the node of each worker that registered.
    const rows = readWorkersWithPythonSqlite(registry).map((row) => [row.node, String(row.worker_id).slice(-2), row.state]);
    expect(rows.sort()).toEqual([['a', '-a', 'Stopped'], ['b', '-b', 'Stopped']]);
    // junit.xml classes each node's rows under it; the timeline's phase spans name the node.
    expect(readFileSync(join(run.reportDir, 'junit.xml'), 'utf8')).toContain('classname="hivecheck.e2e.c" name="[c] Phase 6: worker registration"');
    expect(run.report.timeline.events.filter((event) => event.lane === 'phases').map((event) => event.label)).toContain('[b] Phase 8: inference');
    noWorkerLeft(run.report);
  }, 180_000);

  it('--nodes: a built-in hive per simulated node on its own 127.0.0.x; --concurrency 1 runs one node after the other', async () => {
    const run = await runTask(['e2e', '--nodes', 'n1,n2', '--concurrency', '1', '--registry', registryIn(), ...FAST]);
    expect(run.exitCode, run.output).toBe(0);
    const nodes = (run.report as unknown as { nodes: NodeOutcome[] }).nodes;
    expect(nodes.map((node) => [node.node, node.verdict])).toEqual([['n1', 'pass'], ['n2', 'pass']]);
    expect(nodes[0]?.hiveUrl).toMatch(/^http:\/\/127\.0\.0\.2:\d+$/);
    expect(nodes[1]?.hiveUrl).toMatch(/^http:\/\/127\.0\.0\.3:\d+$/);
    // One at a time: every check of n1 ended before the first of n2.
    const order = run.report.checks.filter((check) => check.node).map((check) => check.node);
    expect(order.lastIndexOf('n1')).toBeLessThan(order.indexOf('n2'));
    noWorkerLeft(run.report);
  }, 180_000);

  it('a hive that takes only requests with its token: spawn refused without --hive-token-file (401, named), the whole flow with it', async () => {
    const token = newHiveToken();
    await using hive = await nodeHive('127.0.0.5', [], token);
    const without = await runTask(['e2e', '--hive-url', `t=${hive.url}`, '--registry', registryIn(), ...FAST]);
    expect(without.exitCode, without.output).toBe(1);
    expect(without.report.checks.find((check) => check.name === '[t] Phase 3-5: worker spawn')).toMatchObject({ verdict: 'fail', code: 'HIVE_UNAUTHORIZED' });
    expect(hive.log.lines().join('\n')).toContain('Refused POST /v1/workers/spawn from 127.0.0.1 (401): no hive token');
    const file = join(mkdtempSync(join(tmpdir(), 'hivecheck-token-')), 'hive-token');
    writeFileSync(file, `${token}\n`, { mode: 0o600 });
    const withToken = await runTask(['e2e', '--hive-url', `t=${hive.url}`, '--hive-token-file', file, '--registry', registryIn(), ...FAST]);
    expect(withToken.exitCode, withToken.output).toBe(0);
    expect(withToken.output + JSON.stringify(withToken.report)).not.toContain(token);
    noWorkerLeft(withToken.report);
  }, 180_000);

  it.each([
    [['--nodes', 'a,b', '--hive-url', 'http://127.0.0.2:8080'], '--hive-url and --nodes'],
    [['--nodes', 'a', '--hive-cmd', 'hive --port {port}'], '--hive-cmd starts one hive'],
    [['--nodes', 'a,a'], "node 'a' is named twice"],
    [['--nodes', 'a', '--resolve', 'b=127.0.0.9'], "'b' is not one of --nodes"],
    [['--nodes', 'a', '--resolve', 'a=10.1.2.3'], 'loopback only'],
    [['--resolve', 'a=127.0.0.2'], 'pass --nodes too'],
  ])('usage: %j → exit 2 (%s)', async (args, message) => {
    const run = await runTask(['e2e', ...args]);
    expect(run.exitCode, run.output).toBe(2);
    expect(run.report.error?.message).toContain(message);
  });
});
