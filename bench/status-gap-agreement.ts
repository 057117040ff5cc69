/**
 * How closely do the gaps between status frames that `status-protocol:test` measures agree with
 * the gaps the server itself logged (its own send stamps, same machine, same clock)? Runs the
 * whole task as a separate process (as a user would, minus npm) against the reference server,
 * pairs every cold-start frame with the server's log line for it, and prints |harness gap −
 * server gap| over all gaps and for the largest one (the gap a verdict rests on).
 *
 * Run: npm run bench -- status-gaps     (BENCH_RUNS=5 by default; figures only)
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { $ } from 'zx';
import type { ReportJson } from '../tasks/lib/report/run-report.ts';
import { spread } from '../tasks/lib/stats/percentiles.ts';
import { compareColdStartGaps } from '../test/status-protocol/timing-agreement.ts';
import { figure, type Figure } from './figures.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const root = fileURLToPath(new URL('..', import.meta.url));

const SCENARIOS: Array<{ name: string; args: string[]; expectExit: number }> = [
  { name: 'periodic updates (load 1 s, every 0.2 s)', args: ['--load-seconds', '1', '--update-interval', '0.2'], expectExit: 0 },
  { name: 'buggy periodic (gap 1.265 s by construction)', args: ['--fault', 'buggy-periodic', '--load-seconds', '2.6'], expectExit: 1 },
];

function line(name: string, samples: number[]): string {
  const s = spread(samples);
  return `  ${name.padEnd(34)} n=${String(s.n).padEnd(3)} p50 ${s.p50.toFixed(2).padStart(6)} ms   p95 ${s.p95.toFixed(2).padStart(6)} ms   max ${s.max.toFixed(2).padStart(6)} ms`;
}

export async function statusGapBench(): Promise<Figure[]> {
  const figures: Figure[] = [];
  console.log(`harness-measured vs server-logged gaps between cold-start frames, ${RUNS} runs each (|Δ|, ms)`);
  for (const scenario of SCENARIOS) {
    const all: number[] = [];
    const largest: number[] = [];
    const afterFirst: number[] = [];
    for (let i = 0; i < RUNS; i += 1) {
      const dir = mkdtempSync(join(tmpdir(), 'hivecheck-bench-status-'));
      const result = await $({ cwd: root, nothrow: true, quiet: true, env: { ...process.env, CI: 'true' } })`${process.execPath} bin/hivecheck.mjs status-protocol:test ${scenario.args} --report ${dir}`;
      if (result.exitCode !== scenario.expectExit) throw new Error(`status-protocol:test ${scenario.args.join(' ')} exited ${result.exitCode}, expected ${scenario.expectExit}:\n${result.stdout}`);
      const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as ReportJson;
      const timing = compareColdStartGaps({ report, reportDir: dir });
      all.push(...timing.deltasMs);
      afterFirst.push(...timing.deltasMs.slice(2)); // the first frame rides on the upgrade's first-time processing
      largest.push(Math.abs(timing.harnessLargestMs - timing.serverSamePairMs));
    }
    console.log(scenario.name);
    console.log(line('every gap', all));
    console.log(line('gaps after the first two', afterFirst));
    console.log(line('the largest gap (the verdict)', largest));
    figures.push(figure({ bench: 'status-gaps', name: `frame gap |harness − server| p95, ${scenario.name.split(' (')[0]}`, value: spread(all).p95, unit: 'ms', note: `largest gap p95 ${spread(largest).p95.toFixed(2)} ms` }));
  }
  return figures;
}
