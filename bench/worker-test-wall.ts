/**
 * Where does the time of a default `worker:test` go? Runs the whole command as a separate
 * process through the project's entry (as a user would, minus npm) several times, and splits its
 * wall time using the report: time spent waiting on the worker itself (startup until healthy, its
 * heartbeat interval, inference, its shutdown) versus everything else (the harness: process
 * start-up and module loading, model check, mock hive, spawning, report and summary).
 *
 * Run: npm run bench -- worker-test     (BENCH_RUNS=5 by default; figures only)
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ReportJson } from '../tasks/lib/report/run-report.ts';
import { spread } from '../tasks/lib/stats/percentiles.ts';
import { figure, type Figure } from './figures.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const root = fileURLToPath(new URL('..', import.meta.url));
/** CPU ms (user + system) a process has used itself, children not included; undefined once it is gone. */
function ownCpuMs(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

/** Runs the task as a whole process; its own CPU is sampled from /proc every 20 ms (the last sample before exit). */
function runTask(args: readonly string[]): Promise<{ exitCode: number | null; stdout: string; cpuMs: number | undefined }> {
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, CI: 'true' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let cpuMs: number | undefined;
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.resume();
  const sampler = setInterval(() => (cpuMs = ownCpuMs(child.pid as number) ?? cpuMs), 20);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (exitCode) => {
      clearInterval(sampler);
      resolve({ exitCode, stdout, cpuMs });
    });
  });
}

const WORKER_BOUND = ['health', 'ready', 'heartbeats', 'inference JSON POST /v1/inference', 'inference SSE POST /v1/inference'];

export async function workerTestBench(): Promise<Figure[]> {
  const wall: number[] = [];
  const onWorker: number[] = [];
  const teardown: number[] = [];
  const harness: number[] = [];
  const harnessCpu: number[] = [];
  for (let i = 0; i < RUNS; i += 1) {
    const dir = mkdtempSync(join(tmpdir(), 'hivecheck-bench-'));
    const started = performance.now();
    const result = await runTask(['bin/hivecheck.mjs', 'worker:test', '--report', dir]);
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
    if (result.cpuMs !== undefined) harnessCpu.push(result.cpuMs);
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
  const cpu = harnessCpu.length ? spread(harnessCpu).p50 : undefined;
  if (cpu !== undefined) console.log(`  harness process's own CPU (user + system, not the worker's): p50 ${cpu.toFixed(0)} ms`);
  return [
    figure({ bench: 'worker-test', name: 'worker:test harness overhead p50', value: h, unit: 'ms', goal: 300, note: `${((h / w) * 100).toFixed(0)} % of a ${(w / 1000).toFixed(2)} s run` }),
    ...(cpu === undefined ? [] : [figure({ bench: 'worker-test', name: 'worker:test harness process CPU p50', value: cpu, unit: 'ms', note: 'its own user+sys for the whole run, waits and probes included; /proc, 10 ms resolution' })]),
    figure({ bench: 'worker-test', name: 'worker:test wall time p50', value: w / 1000, unit: 's', baselines: [{ name: "seed's fixed sleeps alone", value: 10.5 }] }),
  ];
}
