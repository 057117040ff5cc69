/**
 * How long a user waits before the first line of any task: `help` as whole processes, timed from
 * outside, several runs each, medians. The project's entry (`node bin/hivecheck.mjs`, the
 * precompiled runner) against what `npm run` adds on top, the runner from source through tsx (the
 * old entry), and a bare `node -e 0` (the floor on this machine right now).
 *
 * Run: npm run bench -- startup     (BENCH_STARTUP_RUNS=9 by default)
 */
import { fileURLToPath } from 'node:url';
import { $ } from 'zx';
import { spread } from '../tasks/lib/stats/percentiles.ts';
import { figure, type Figure } from './figures.ts';

const RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 9);
const root = fileURLToPath(new URL('..', import.meta.url));

async function medianWall(argv: readonly string[]): Promise<number> {
  const samples: number[] = [];
  await $({ cwd: root, quiet: true })`${argv}`; // warm the file cache (and build dist/cli if stale) once
  for (let i = 0; i < RUNS; i += 1) {
    const started = performance.now();
    await $({ cwd: root, quiet: true })`${argv}`;
    samples.push(performance.now() - started);
  }
  return spread(samples).p50;
}

export async function startupBench(): Promise<Figure[]> {
  console.log(`help, whole process, ${RUNS} runs each, median wall time`);
  const node = process.execPath;
  const entry = await medianWall([node, 'bin/hivecheck.mjs', 'help']);
  const npm = await medianWall(['npm', 'run', '-s', 'task', '--', 'help']);
  const tsx = await medianWall([node, '--import', 'tsx', 'tasks/main.ts', 'help']);
  const bare = await medianWall([node, '-e', '0']);
  for (const [name, value] of [['node bin/hivecheck.mjs help', entry], ['npm run task -- help', npm], ['node --import tsx tasks/main.ts help', tsx], ['node -e 0', bare]] as const) console.log(`${name.padEnd(40)} ${value.toFixed(0).padStart(6)} ms`);
  return [
    figure({ bench: 'startup', name: 'help through the entry (bin/hivecheck.mjs)', value: entry, unit: 'ms', goal: 250, baselines: [{ name: 'tsx tasks/main.ts (before)', value: tsx }, { name: 'node -e 0', value: bare }] }),
    figure({ bench: 'startup', name: 'what npm run adds on top', value: npm - entry, unit: 'ms', baselines: [{ name: 'npm run task -- help', value: npm }] }),
  ];
}
