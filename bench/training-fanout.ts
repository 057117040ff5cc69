/**
 * How does the reference training stream hold up as clients are added? Runs
 * `status-protocol:test --protocol training --clients N` as a separate process (as a user would,
 * minus npm) for N = 3, 25, 100 on loopback and prints, from its report: wall time, trainer →
 * client latency p50/p95 over all updates, the spread of each client's own p50/p95, and the
 * update gaps. Figures only.
 *
 * Run: npm run bench -- training-fanout     (BENCH_CLIENTS=3,25,100 by default)
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { $ } from 'zx';
import type { ReportJson } from '../tasks/lib/report/run-report.ts';
import { spread } from '../tasks/lib/stats/percentiles.ts';
import { figure, type Figure } from './figures.ts';

const CLIENTS = (process.env.BENCH_CLIENTS ?? '3,25,100').split(',').map(Number);
const root = fileURLToPath(new URL('..', import.meta.url));
const ms = (value: number): string => `${value.toFixed(1).padStart(6)} ms`;

interface PerClient {
  p50: number;
  p95: number;
}

export async function trainingFanoutBench(): Promise<Figure[]> {
  const figures: Figure[] = [];
  console.log('clients   wall     latency p50  latency p95  per-client p50 (median / worst)  per-client p95 (median / worst)  gap p95   largest gap');
  for (const clients of CLIENTS) {
    const dir = mkdtempSync(join(tmpdir(), 'hivecheck-bench-'));
    const started = performance.now();
    const result = await $({ cwd: root, nothrow: true, quiet: true, env: { ...process.env, CI: 'true' } })`${process.execPath} bin/hivecheck.mjs status-protocol:test --protocol training --clients ${clients} --max-connections ${clients + 10} --report ${dir}`;
    const wall = (performance.now() - started) / 1000;
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as ReportJson;
    if (result.exitCode !== 0) {
      console.log(`${String(clients).padStart(7)}   failed (exit ${result.exitCode}): ${report.checks.filter((check) => check.verdict === 'fail').map((check) => `${check.name}: ${check.detail}`).join('; ')}`);
      continue;
    }
    const latency = report.checks.find((check) => check.name === 'end-to-end latency')?.evidence ?? {};
    const gaps = report.checks.find((check) => check.name === 'update interval')?.evidence ?? {};
    const perClient = (latency.perClient ?? []) as PerClient[];
    const p50s = spread(perClient.map((client) => client.p50));
    const p95s = spread(perClient.map((client) => client.p95));
    console.log(`${String(clients).padStart(7)}  ${wall.toFixed(2).padStart(5)} s  ${ms(latency.p50Ms as number)}    ${ms(latency.p95Ms as number)}    ${ms(p50s.p50)} / ${ms(p50s.max)}              ${ms(p95s.p50)} / ${ms(p95s.max)}              ${ms(gaps.p95GapMs as number)} ${ms(gaps.largestGapMs as number)}`);
    figures.push(figure({ bench: 'training-fanout', name: `training stream latency p95, ${clients} clients`, value: latency.p95Ms as number, unit: 'ms', note: `p50 ${(latency.p50Ms as number).toFixed(1)} ms, wall ${wall.toFixed(2)} s` }));
  }
  console.log('(latency: trainer writes progress.json → client receives the message, measured on one clock; loopback, reference server)');
  return figures;
}
