/**
 * Benchmarks print figures and ratios; they assert nothing (timed assertions flake on shared
 * 2-core machines). `npm run bench` runs all; `npm run bench -- <name>…` runs some. At the end:
 * one table (goal, figure, PASS/SHORT, baselines), written as JSON too
 * (`--out <file>`, default `.hivecheck/bench/bench.json`).
 */
import { canaryAaBench } from './canary-aa.ts';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { figureTable, type Figure } from './figures.ts';
import { fleetBench } from './fleet.ts';
import { readinessBench } from './readiness-latency.ts';
import { startupBench } from './startup.ts';
import { statusGapBench } from './status-gap-agreement.ts';
import { trainingFanoutBench } from './training-fanout.ts';
import { workerBenchAgreement } from './worker-bench-agreement.ts';
import { workerTestBench } from './worker-test-wall.ts';

const benches: Record<string, () => Promise<Figure[]>> = {
  startup: startupBench,
  readiness: readinessBench,
  'worker-test': workerTestBench,
  'status-gaps': statusGapBench,
  'worker-bench': workerBenchAgreement,
  'training-fanout': trainingFanoutBench,
  'canary-aa': canaryAaBench,
  fleet: fleetBench,
};

const args = process.argv.slice(2);
const outAt = args.indexOf('--out');
const out = resolve(process.env.INIT_CWD ?? process.cwd(), outAt >= 0 ? (args[outAt + 1] ?? '') : '.hivecheck/bench/bench.json');
const wanted = args.filter((arg, i) => arg !== '--out' && (outAt < 0 || i !== outAt + 1)); // without --out, index 0 is a bench name, not its value
const unknown = wanted.filter((name) => !(name in benches));
if (unknown.length || (outAt >= 0 && !args[outAt + 1])) {
  console.error(`usage: npm run bench -- [${Object.keys(benches).join('|')}]… [--out file.json]${unknown.length ? `\nunknown bench: ${unknown.join(', ')}` : ''}`);
  process.exit(2);
}
// Every temp dir the benches make (report dirs, fixtures' work dirs, the processes' own) goes
// under one directory, removed at the end.
const scratch = mkdtempSync(join(tmpdir(), 'hivecheck-bench-'));
process.env.TMPDIR = scratch;
const figures: Figure[] = [];
const loadBefore = loadavg()[0] ?? 0;
for (const name of wanted.length ? wanted : Object.keys(benches)) {
  console.log(`\n=== ${name} ===`);
  figures.push(...(await (benches[name] as () => Promise<Figure[]>)()));
}
const machine = { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', node: process.version, loadavg1mBefore: loadBefore, loadavg1mAfter: loadavg()[0] ?? 0 };
console.log(`\n=== figures (machine: ${machine.cpus} × ${machine.model}, load ${machine.loadavg1mBefore.toFixed(1)} → ${machine.loadavg1mAfter.toFixed(1)}) ===`);
console.log(figureTable(figures));
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify({ tool: 'hivecheck', kind: 'bench', at: new Date().toISOString(), machine, figures }, null, 2)}\n`);
console.log(`\njson: ${out}`);
rmSync(scratch, { recursive: true, force: true });
process.exit(0); // figures, not assertions: a SHORT figure is reported, not a failure
