/**
 * How the harness scales over a fleet. A simulated fleet (bench/fleet/fleet-sim.ts: N hives in
 * one process on 127.0.0.2, .3, …) and the harness run as a user would (`e2e --hive-url …` once
 * per node, `--concurrency N`), as its own process, whose CPU time and peak memory are read from
 * its own getrusage at exit (bench/fleet/usage-probe.mjs). Nodes run the real reference worker
 * (N = 1, 4) or a lightweight stand-in (N = 1, 4, 32: bench/fleet/stand-in-worker.mjs), so the
 * figures are the harness's, not the model's.
 *
 * The harness's share per node must stay constant: CPU per node, and the marginal CPU of each
 * added node (4 → 32 against 1 → 4); a share that grows with N is O(N²) work (polling every hive
 * for every node). Figures only; nothing is asserted.
 *
 * Run: npm run bench -- fleet     (FLEET_STAND_IN=1,4,32 FLEET_REAL=1,4 by default)
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { $ } from 'zx';
import { ProcessGuard } from '../tasks/lib/process/process-guard.ts';
import type { ReportJson } from '../tasks/lib/report/run-report.ts';
import { figure, type Figure } from './figures.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const SIM = join(root, 'bench/fleet/fleet-sim.ts');
const STAND_IN = join(root, 'bench/fleet/stand-in-worker.mjs');
const PROBE = join(root, 'bench/fleet/usage-probe.mjs');
const list = (value: string | undefined, fallback: string): number[] => (value ?? fallback).split(',').filter(Boolean).map(Number);
const STAND_IN_NODES = list(process.env.FLEET_STAND_IN, '1,4,32');
const REAL_NODES = list(process.env.FLEET_REAL, '1,4');

type Kind = 'reference' | 'stand-in';

interface FleetRun {
  kind: Kind;
  nodes: number;
  passed: number;
  exitCode: number;
  wallS: number;
  cpuMs: number;
  maxRssMb: number;
  load: number;
}

async function fleetRun(kind: Kind, nodes: number): Promise<FleetRun> {
  const dir = mkdtempSync(join(tmpdir(), 'hivecheck-fleet-'));
  await using sim = await ProcessGuard.start({ name: `fleet-sim-${nodes}`, command: process.execPath, args: ['--import', 'tsx', SIM, String(nodes)], cwd: root, graceMs: 10_000 });
  const line = await sim.waitForLine(/\{"urls":.*\}/, { timeoutMs: 120_000 });
  const urls = (JSON.parse(line[0]) as { urls: string[] }).urls;
  const usageFile = join(dir, 'usage.json');
  const args = [
    '--import', PROBE, 'bin/hivecheck.mjs', 'e2e',
    ...urls.flatMap((url, i) => ['--hive-url', `node-${i + 1}=${url}`]),
    '--concurrency', String(nodes), '--registry', join(dir, 'workers.db'), '--report', dir, '--quiet',
    '--max-tokens', '8', '--error-interval', '0.1', '--ready-timeout', '300', '--register-timeout', '120',
    ...(kind === 'stand-in' ? ['--worker-cmd', `${process.execPath} ${STAND_IN} --worker-id {workerId} --port {port} --hive-url {hiveUrl} --heartbeat-interval {heartbeatInterval}`] : []),
  ];
  const started = performance.now();
  const result = await $({ cwd: root, nothrow: true, quiet: true, env: { ...process.env, CI: 'true', FLEET_USAGE_FILE: usageFile } })`${process.execPath} ${args}`;
  const wallS = (performance.now() - started) / 1000;
  const usage = JSON.parse(readFileSync(usageFile, 'utf8')) as { userCpuMs: number; systemCpuMs: number; maxRssKb: number };
  const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as ReportJson & { nodes?: Array<{ verdict: string }> };
  const passed = (report.nodes ?? []).filter((node) => node.verdict === 'pass').length;
  if (result.exitCode !== 0) console.log(`  ${kind} N=${nodes}: exit ${result.exitCode}: ${report.checks.filter((check) => check.verdict === 'fail').slice(0, 3).map((check) => `${check.name}: ${check.detail}`).join('; ')}`);
  return { kind, nodes, passed, exitCode: result.exitCode ?? -1, wallS, cpuMs: usage.userCpuMs + usage.systemCpuMs, maxRssMb: usage.maxRssKb / 1024, load: loadavg()[0] ?? 0 };
}

const pad = (text: string | number, width: number): string => String(text).padStart(width);

export async function fleetBench(): Promise<Figure[]> {
  const runs: FleetRun[] = [];
  console.log('kind        nodes  passed   wall      harness CPU   CPU/node   peak RSS   RSS/node (over N=1)   load');
  const show = (run: FleetRun): void => {
    const base = runs.find((other) => other.kind === run.kind && other.nodes === 1);
    const rssPerNode = base && run.nodes > 1 ? `${((run.maxRssMb - base.maxRssMb) / (run.nodes - 1)).toFixed(2)} MB` : '—';
    console.log(`${run.kind.padEnd(10)} ${pad(run.nodes, 6)} ${pad(`${run.passed}/${run.nodes}`, 7)} ${pad(run.wallS.toFixed(2), 6)} s ${pad(run.cpuMs.toFixed(0), 9)} ms ${pad((run.cpuMs / run.nodes).toFixed(0), 7)} ms ${pad(run.maxRssMb.toFixed(0), 6)} MB ${pad(rssPerNode, 16)}      ${run.load.toFixed(1)}`);
  };
  for (const nodes of REAL_NODES) {
    const run = await fleetRun('reference', nodes);
    runs.push(run);
    show(run);
  }
  for (const nodes of STAND_IN_NODES) {
    const run = await fleetRun('stand-in', nodes);
    runs.push(run);
    show(run);
  }
  const figures: Figure[] = [];
  for (const run of runs) {
    figures.push(figure({ bench: 'fleet', name: `fleet ${run.kind} N=${run.nodes}: harness CPU per node`, value: run.cpuMs / run.nodes, unit: 'ms', note: `${run.passed}/${run.nodes} nodes passed, wall ${run.wallS.toFixed(2)} s, harness CPU ${run.cpuMs.toFixed(0)} ms, peak RSS ${run.maxRssMb.toFixed(0)} MB, load ${run.load.toFixed(1)}` }));
  }
  // Marginal cost of a node: (CPU(N2) − CPU(N1)) / (N2 − N1), small fleet against large.
  const standIn = runs.filter((run) => run.kind === 'stand-in').sort((a, b) => a.nodes - b.nodes);
  const marginal = (a: FleetRun, b: FleetRun): number => (b.cpuMs - a.cpuMs) / (b.nodes - a.nodes);
  if (standIn.length >= 3) {
    const [one, few, many] = [standIn[0] as FleetRun, standIn[1] as FleetRun, standIn.at(-1) as FleetRun];
    const small = marginal(one, few);
    const large = marginal(few, many);
    console.log(`marginal harness CPU per added node: ${one.nodes}→${few.nodes}: ${small.toFixed(0)} ms; ${few.nodes}→${many.nodes}: ${large.toFixed(0)} ms (ratio ${(large / small).toFixed(2)}; ≈ 1 is a constant share, > 2 would be O(N²))`);
    figures.push(figure({ bench: 'fleet', name: `fleet stand-in: marginal harness CPU per node, ${few.nodes}→${many.nodes}`, value: large, unit: 'ms', baselines: [{ name: `${one.nodes}→${few.nodes}`, value: small }], note: `ratio ${(large / small).toFixed(2)}` }));
  }
  console.log('merge of 32 per-node reports: not measured here (merge-reports is written in parallel, issue 19 item 4)');
  return figures;
}
