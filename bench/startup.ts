/**
 * How long a user waits before the first line of any task: `help` as whole processes, timed from
 * outside, several runs each, medians. The project's entry (`node bin/hivecheck.mjs`, the
 * precompiled runner) against what `npm run` adds on top, the runner from source through tsx (the
 * old entry), and a bare `node -e 0` (the floor on this machine right now).
 *
 * Run: npm run bench -- startup     (BENCH_STARTUP_RUNS=9 by default)
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { spread } from '../tasks/lib/stats/percentiles.ts';
import { figure, type Figure } from './figures.ts';

const RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 9);
const root = fileURLToPath(new URL('..', import.meta.url));

const TIME = '/usr/bin/time';
const haveTime = existsSync(TIME);

interface Timing {
  wallMs: number;
  /** user + system CPU of the process (from /usr/bin/time, when there): less sensitive to a busy machine than wall time. */
  cpuMs: number | undefined;
}

/** Spawn → exit of one process (no shell), output discarded. */
function timed(argv: readonly string[]): Promise<Timing> {
  const [command, ...args] = (haveTime ? [TIME, '-f', 'cpu %U %S', ...argv] : argv) as [string, ...string[]];
  const started = performance.now();
  const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      const wallMs = performance.now() - started;
      if (code !== 0) return reject(new Error(`${argv.join(' ')} exited with ${code}: ${stderr.slice(-500)}`));
      const cpu = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(stderr);
      resolve({ wallMs, cpuMs: cpu ? (Number(cpu[1]) + Number(cpu[2])) * 1000 : undefined });
    });
  });
}

async function median(argv: readonly string[]): Promise<{ wallMs: number; cpuMs: number | undefined }> {
  await timed(argv); // warm the file cache (and build dist/cli if stale) once
  const samples: Timing[] = [];
  for (let i = 0; i < RUNS; i += 1) samples.push(await timed(argv));
  const cpu = samples.map((sample) => sample.cpuMs).filter((ms): ms is number => ms !== undefined);
  return { wallMs: spread(samples.map((sample) => sample.wallMs)).p50, cpuMs: cpu.length ? spread(cpu).p50 : undefined };
}

export async function startupBench(): Promise<Figure[]> {
  console.log(`help, whole process, ${RUNS} runs each, medians (wall; CPU = user + system${haveTime ? '' : ': /usr/bin/time missing'})`);
  const node = process.execPath;
  const entry = await median([node, 'bin/hivecheck.mjs', 'help']);
  const npm = await median([process.platform === 'win32' ? 'npm.cmd' : 'npm', 'run', '-s', 'task', '--', 'help']);
  const tsx = await median([node, '--import', 'tsx', 'tasks/main.ts', 'help']);
  const bare = await median([node, '-e', '0']);
  const rows = [['node bin/hivecheck.mjs help', entry], ['npm run task -- help', npm], ['node --import tsx tasks/main.ts help', tsx], ['node -e 0', bare]] as const;
  for (const [name, t] of rows) console.log(`${name.padEnd(40)} wall ${t.wallMs.toFixed(0).padStart(6)} ms   cpu ${t.cpuMs === undefined ? '   n/a' : t.cpuMs.toFixed(0).padStart(6)} ms`);
  const figures = [
    figure({ bench: 'startup', name: 'help through the entry (bin/hivecheck.mjs)', value: entry.wallMs, unit: 'ms', goal: 250, baselines: [{ name: 'tsx tasks/main.ts (before)', value: tsx.wallMs }, { name: 'node -e 0', value: bare.wallMs }] }),
    figure({ bench: 'startup', name: 'help: entry minus bare node start-up', value: entry.wallMs - bare.wallMs, unit: 'ms', baselines: [{ name: 'tsx minus bare node', value: tsx.wallMs - bare.wallMs }], note: 'what the harness itself costs, whatever the load' }),
    figure({ bench: 'startup', name: 'what npm run adds on top', value: npm.wallMs - entry.wallMs, unit: 'ms', baselines: [{ name: 'npm run task -- help', value: npm.wallMs }] }),
  ];
  if (entry.cpuMs !== undefined && tsx.cpuMs !== undefined && bare.cpuMs !== undefined) {
    figures.push(figure({ bench: 'startup', name: 'help CPU (user+sys) through the entry', value: entry.cpuMs, unit: 'ms', baselines: [{ name: 'tsx tasks/main.ts', value: tsx.cpuMs }, { name: 'node -e 0', value: bare.cpuMs }] }));
  }
  return figures;
}
