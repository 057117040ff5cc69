/**
 * Where does the time of a default `worker:test` go? Runs the whole command as a separate
 * process through the project's entry (as a user would, minus npm) several times, and splits its
 * wall time using the report: time spent waiting on the worker itself (startup until healthy, its
 * heartbeat interval, inference, its shutdown) versus everything else (the harness: process
 * start-up and module loading, model check, mock hive, spawning, report and summary).
 *
 * Run: npm run bench -- worker-test     (BENCH_RUNS=5 by default; figures only)
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { $ } from 'zx';
import type { ReportJson } from '../tasks/lib/report/run-report.ts';
import { spread } from '../tasks/lib/stats/percentiles.ts';
import { figure, type Figure } from './figures.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const root = fileURLToPath(new URL('..', import.meta.url));
const WORKER_BOUND = ['health', 'ready', 'heartbeats', 'inference JSON POST /v1/inference', 'inference SSE POST /v1/inference'];

export async function workerTestBench(): Promise<Figure[]> {
  const wall: number[] = [];
  const onWorker: number[] = [];
  const teardown: number[] = [];
  const harness: number[] = [];
  for (let i = 0; i < RUNS; i += 1) {
    const dir = mkdtempSync(join(tmpdir(), 'hivecheck-bench-'));
    const started = performance.now();
    const result = await $({ cwd: root, nothrow: true, quiet: true, env: { ...process.env, CI: 'true' } })`${process.execPath} bin/hivecheck.mjs worker:test --report ${dir}`;
    const elapsed = performance.now() - started;
    if (result.exitCode !== 0) throw new Error(`worker:test failed (exit ${result.exitCode}):\n${result.stdout}`);
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as ReportJson;
    const byName = new Map(report.checks.map((check) => [check.name, check.durationMs]));
    const waits = WORKER_BOUND.reduce((sum, name) => sum + (byName.get(name) ?? 0), 0);
    const stop = (report.checks.find((check) => check.name === 'teardown')?.evidence.stop as { durationMs: number } | undefined)?.durationMs ?? 0;
    wall.push(elapsed);
    onWorker.push(waits);
    teardown.push(stop);
    harness.push(elapsed - waits - stop);
  }
  const line = (name: string, samples: number[]): string => {
    const s = spread(samples);
    return `${name.padEnd(46)} p50 ${(s.p50 / 1000).toFixed(2).padStart(6)} s   min ${(s.min / 1000).toFixed(2)} s   max ${(s.max / 1000).toFixed(2)} s`;
  };
  console.log(`default worker:test, ${RUNS} runs, whole process (node bin/hivecheck.mjs worker:test)`);
  console.log(line('wall time', wall));
  console.log(line('  waiting on the worker (startup → inference)', onWorker));
  console.log(line('  worker shutdown (SIGTERM → exit)', teardown));
  console.log(line('  harness (everything else)', harness));
  const w = spread(wall).p50;
  const h = spread(harness).p50;
  console.log(`  harness share of the wall time: ${((h / w) * 100).toFixed(0)} % (p50)`);
  return [
    figure({ bench: 'worker-test', name: 'worker:test harness overhead p50', value: h, unit: 'ms', goal: 300, note: `${((h / w) * 100).toFixed(0)} % of a ${(w / 1000).toFixed(2)} s run` }),
    figure({ bench: 'worker-test', name: 'worker:test wall time p50', value: w / 1000, unit: 's', baselines: [{ name: "seed's fixed sleeps alone", value: 10.5 }] }),
  ];
}
