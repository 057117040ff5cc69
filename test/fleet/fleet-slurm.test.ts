import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ReportJson } from '../../tasks/lib/report/run-report.ts';
import { LocalSlurmCluster, localClusterUnavailable } from '../helpers/local-slurm-cluster.ts';
import { runTaskCli, startTaskProcess } from '../helpers/run-task-cli.ts';

// A real 3-node Slurm cluster on this machine (slurmctld + 3 slurmd on 127.0.0.2-4, munge):
// skipped, with the reason, where it cannot start (not root, slurm-wlm/munge not installed);
// HIVECHECK_REQUIRE_SLURM=1 (CI, after .ci/install-slurm.sh) turns the skip into a failure.
const unavailable = await localClusterUnavailable();
const required = process.env.HIVECHECK_REQUIRE_SLURM === '1';
if (unavailable && !required) process.stderr.write(`test/fleet/fleet-slurm.test.ts skipped: ${unavailable}\n`);

const readReport = (dir: string): ReportJson => JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as ReportJson;

describe.skipIf(unavailable !== undefined && !required)(`fleet --launcher slurm on a local 3-node cluster${unavailable ? ` (cannot start: ${unavailable})` : ''}`, () => {
  let cluster: LocalSlurmCluster | undefined;

  beforeAll(async () => {
    if (unavailable) throw new Error(`HIVECHECK_REQUIRE_SLURM=1, but the cluster cannot start: ${unavailable}`);
    cluster = await LocalSlurmCluster.start(3);
  }, 120_000);

  afterAll(async () => {
    await cluster?.[Symbol.asyncDispose]();
  }, 60_000);

  test('three nodes run worker:test; the node whose worker fails is named and the run exits 1; nothing is left', async () => {
    const c = cluster as LocalSlurmCluster;
    const out = mkdtempSync(join(tmpdir(), 'fleet-'));
    const run = await runTaskCli(['fleet', '--nodes', '3', '--report', out, '--node-arg', 'n2=--worker-arg=--fault=crash-at-start', '--', 'worker:test', '--timeout', '120'], c.env);
    expect(run.exitCode, run.stdout + run.stderr).toBe(1);
    const report = readReport(out);
    expect(report.task).toBe('fleet');
    expect(report.nodes?.map((node) => [node.node, node.task, node.verdict])).toEqual([
      ['n1', 'worker:test', 'pass'],
      ['n2', 'worker:test', 'fail'],
      ['n3', 'worker:test', 'pass'],
    ]);
    // Each node wrote its own report into the shared folder; the merged one names the failing node.
    for (const node of ['n1', 'n2', 'n3']) expect(existsSync(join(out, 'nodes', node, 'report.json'))).toBe(true);
    const verdicts = report.checks.filter((check) => ['n1', 'n2', 'n3'].includes(check.name));
    expect(verdicts.map((check) => [check.name, check.verdict])).toEqual([['n1', 'pass'], ['n2', 'fail'], ['n3', 'pass']]);
    expect(verdicts[1]?.detail).toMatch(/^worker:test on n2: .*exit 1/);
    expect(report.checks.filter((check) => check.verdict === 'fail').every((check) => check.node === 'n2')).toBe(true);
    expect(run.stdout).toMatch(/❌ n2: \[TASK_FAILED\] worker:test on n2: .*failed.*\(exit 1; report .*\/nodes\/n2\/report\.json\)/);
    // The summary shows the failing node's log tails, not the passing nodes'.
    expect(run.stdout).toContain('📋 n2 › worker');
    expect(run.stdout).not.toContain('📋 n1 › worker');
    // junit: a testsuite per node; report.html: lanes grouped per node.
    const junit = readFileSync(join(out, 'junit.xml'), 'utf8');
    expect([...junit.matchAll(/<testsuite name="([^"]+)"/g)].map((match) => match[1])).toEqual(expect.arrayContaining(['n1', 'n2', 'n3']));
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    const lanes = [...html.matchAll(/data-node="([^"]+)"/g)].map((match) => match[1]);
    expect(lanes.filter((node, i) => node !== lanes[i - 1])).toEqual(['n1', 'n2', 'n3']);
    expect(report.settings.srun).toMatch(/--nodes=3 --ntasks=3 --ntasks-per-node=1/);
    // The job is over and gone; no slurmstepd or task of it is left on any node.
    expect(await c.queue()).toEqual([]);
    expect(c.jobProcesses()).toEqual([]);
  }, 400_000);

  test('a request Slurm refuses (--gres on nodes without GPUs) is an environment error quoting Slurm; nothing is queued', async () => {
    const c = cluster as LocalSlurmCluster;
    const out = mkdtempSync(join(tmpdir(), 'fleet-gres-'));
    const run = await runTaskCli(['fleet', '--nodes', '3', '--gres', 'gpu:1', '--report', out, '--', 'preflight'], c.env);
    expect(run.exitCode, run.stdout).toBe(3);
    expect(run.stdout).toMatch(/\[SLURM_SUBMIT_FAILED\] Slurm did not start the job: .*Invalid generic resource \(gres\) specification/);
    expect(readReport(out).settings.srun).toContain('--gres=gpu:1');
    expect(await c.queue()).toEqual([]);
  }, 60_000);

  test('Ctrl-C cancels the job: the harness exits 130, squeue is empty, no process is left on any node', async () => {
    const c = cluster as LocalSlurmCluster;
    const out = mkdtempSync(join(tmpdir(), 'fleet-int-'));
    const harness = startTaskProcess(['fleet', '--nodes', '3', '--report', out, '--', 'worker:test', '--timeout', '120'], { env: c.env });
    const [, jobId] = await harness.waitFor(/slurm job (\d+) on n\[1-3\]/);
    // Wait until every node's harness has started its worker (the job's processes carry the cluster's SLURM_CONF).
    const deadline = performance.now() + 90_000;
    // The worker, built (dist/cli/<build>/reference-worker.js) or from source.
    while (c.jobProcesses(/reference-worker\/src\/main\.ts|\/reference-worker\.js/).length < 3) {
      expect(performance.now() < deadline, `the nodes' workers never started:\n${harness.output()}`).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect((await c.queue()).join('\n')).toMatch(new RegExp(`^${jobId} RUNNING hivecheck-fleet-`));
    harness.child.kill('SIGINT');
    expect(await harness.exited).toBe(130);
    expect(harness.output()).toMatch(/stopping .*slurm job hivecheck-fleet-/);
    // scancel did it (not srun dying): the timeline says the job was cancelled and left the queue.
    const cancelled = readReport(out).timeline.events.find((event) => event.lane === 'process:srun' && event.label.includes('cancelled'));
    expect(cancelled?.label).toBe(`job ${jobId} cancelled, gone from the queue`);
    expect(await c.queue()).toEqual([]);
    expect(c.jobProcesses()).toEqual([]);
    const report = readReport(out);
    expect([report.verdict, report.exitCode, report.interruptedBy]).toEqual(['interrupted', 130, 'SIGINT']);
    // Each node's harness got SIGTERM from Slurm, stopped its worker and wrote an interrupted report, taken in once.
    for (const node of ['n1', 'n2', 'n3']) expect(readReport(join(out, 'nodes', node)).interruptedBy).toBe('SIGTERM');
    const names = report.checks.map((check) => check.name);
    expect(new Set(names).size).toBe(names.length);
  }, 200_000);
});
