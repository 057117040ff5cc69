/**
 * Does `worker:test --bench` measure what the worker itself measures? Runs the bench against the
 * reference worker (llama-server and seed APIs, both report llama.cpp-style `timings`) and prints
 * the client's p50 figures beside the worker's own: TTFT vs prompt_ms, latency vs
 * prompt_ms + predicted_ms, generation rate vs predicted_per_second. The client side includes
 * the HTTP round trip; the difference is that overhead, in ms and in percent (goal: within 5 %).
 *
 * Run: npm run bench -- worker-bench     (BENCH_REQUESTS=40, BENCH_MAX_TOKENS=128 by default)
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { $ } from 'zx';
import type { ReportJson } from '../tasks/lib/report/run-report.ts';
import type { FigurePair, TimingAgreement } from '../tasks/lib/worker/timing-agreement.ts';
import { figure, type Figure } from './figures.ts';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 40);
const MAX_TOKENS = Number(process.env.BENCH_MAX_TOKENS ?? 128);
const root = fileURLToPath(new URL('..', import.meta.url));

function row(name: string, pair: FigurePair, unit: string, digits: number): string {
  const within = Math.abs(pair.diffPct) <= 5 ? 'within 5 %' : 'outside 5 %';
  return `  ${name.padEnd(12)} client ${pair.client.toFixed(digits).padStart(8)}${unit}   worker ${pair.server.toFixed(digits).padStart(8)}${unit}   diff ${(pair.diff >= 0 ? '+' : '') + pair.diff.toFixed(digits)}${unit} (${(pair.diffPct >= 0 ? '+' : '') + pair.diffPct.toFixed(1)} %, ${within})`;
}

/** |client − worker| in percent of the worker's figure: the goal is within 5 %. */
const agreement = (profile: string, name: string, pair: FigurePair, unit: string): Figure =>
  figure({ bench: 'worker-bench', name: `--bench ${name} vs worker (${profile}) |Δ|`, value: Math.abs(pair.diffPct), unit: '%', goal: 5, note: `client ${pair.client.toFixed(2)}${unit}, worker ${pair.server.toFixed(2)}${unit}` });

export async function workerBenchAgreement(): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const profile of ['llama-server', 'seed']) {
    const dir = mkdtempSync(join(tmpdir(), 'hivecheck-bench-'));
    const result = await $({ cwd: root, nothrow: true, quiet: true, env: { ...process.env, CI: 'true' } })`${process.execPath} bin/hivecheck.mjs worker:test --profile ${profile} --stream sse --bench --bench-requests ${REQUESTS} --max-tokens ${MAX_TOKENS} --timeout 120 --heartbeat-interval 0.3 --report ${dir}`;
    if (result.exitCode !== 0) throw new Error(`worker:test failed (exit ${result.exitCode}):\n${result.stdout}`);
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as ReportJson;
    const bench = report.checks.find((check) => check.name === 'benchmark')?.evidence.bench as { agreement?: TimingAgreement; tokensPerSecond: { p50: number } } | undefined;
    console.log(`${profile} API, ${REQUESTS} streamed requests of ${MAX_TOKENS} tokens (p50 per request)`);
    if (!bench?.agreement) {
      console.log('  the answers carried no timings');
      continue;
    }
    const a = bench.agreement;
    console.log(row('TTFT', a.ttftMs, ' ms', 2));
    console.log(row('latency', a.latencyMs, ' ms', 2));
    console.log(row('generation', a.tokensPerSecond, ' tok/s', 0));
    console.log(`  (the bench's own tokens/s, client-side incl. TTFT and HTTP: ${bench.tokensPerSecond.p50.toFixed(0)} tok/s p50)`);
    figures.push(agreement(profile, 'TTFT', a.ttftMs, ' ms'), agreement(profile, 'latency', a.latencyMs, ' ms'), agreement(profile, 'tokens/s', a.tokensPerSecond, ' tok/s'));
  }
  return figures;
}
