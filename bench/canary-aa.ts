/**
 * How often does `canary:check --aa` (the baseline against itself) promote, hold or roll back?
 * Runs the whole task as a user would (minus npm), BENCH_RUNS times per kind, and counts the
 * decisions from each report.json; for every run it prints the metrics that did not pass and the
 * gates that differed, so a hold or a rollback says why.
 *
 * Run: npm run bench -- canary-aa     (BENCH_RUNS=10, BENCH_KINDS=ws-client; figures only)
 *      BENCH_KINDS=ws-client,ws-server,worker,policy npm run bench -- canary-aa
 * Extra task flags: BENCH_ARGS="--idle 1", or a JSON array when a value holds spaces (a command):
 *      BENCH_ARGS='["--baseline", "python3 bot.py --url {url}", "--detect-within", "2"]'
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { $ } from 'zx';
import { figure, type Figure } from './figures.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const KINDS = (process.env.BENCH_KINDS ?? 'ws-client').split(',').filter(Boolean);
const EXTRA = extraArgs(process.env.BENCH_ARGS ?? '');

/** `BENCH_ARGS`: words split on spaces, or a JSON array of argv entries. */
function extraArgs(text: string): string[] {
  if (!text.trimStart().startsWith('[')) return text.split(' ').filter(Boolean);
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed) || !parsed.every((entry) => typeof entry === 'string')) throw new Error(`BENCH_ARGS: a JSON array of strings, got ${text}`);
  return parsed;
}
const root = fileURLToPath(new URL('..', import.meta.url));

interface CanarySection {
  decision: string;
  reasons: string[];
  gates: Array<{ name: string; baseline: string; canary: string }>;
  metrics: Array<{ name: string; verdict: string; ratio: number | null; p: number | null }>;
}

export async function canaryAaBench(): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const kind of KINDS) {
    const counts: Record<string, number> = { promote: 0, hold: 0, rollback: 0, error: 0 };
    const walls: number[] = [];
    console.log(`canary:check --aa --kind ${kind} ${EXTRA.join(' ')}: ${RUNS} runs`);
    for (let i = 1; i <= RUNS; i += 1) {
      const dir = mkdtempSync(join(tmpdir(), 'hivecheck-bench-aa-'));
      const started = performance.now();
      const result = await $({ cwd: root, nothrow: true, quiet: true, env: { ...process.env, CI: 'true' } })`${process.execPath} --import tsx tasks/main.ts canary:check --aa --kind ${kind} ${EXTRA} --report ${dir}`;
      const wall = (performance.now() - started) / 1000;
      walls.push(wall);
      let canary: CanarySection | undefined;
      try {
        canary = (JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as { canary?: CanarySection }).canary;
      } catch {
        canary = undefined;
      }
      if (!canary) {
        counts.error = (counts.error ?? 0) + 1;
        console.log(`  run ${String(i).padStart(2)}: exit ${result.exitCode}, no judgement (${wall.toFixed(0)} s)\n${(result.stdout + result.stderr).split('\n').slice(-15).join('\n')}`);
        continue;
      }
      counts[canary.decision] = (counts[canary.decision] ?? 0) + 1;
      const metrics = canary.metrics.map((metric) => `${metric.name} ${metric.ratio?.toFixed(3) ?? '—'}× p=${metric.p?.toFixed(3) ?? '—'} ${metric.verdict}`).join('; ');
      const differing = canary.gates.filter((gate) => gate.baseline !== gate.canary).map((gate) => `${gate.name} ${gate.baseline}/${gate.canary}`);
      console.log(`  run ${String(i).padStart(2)}: ${canary.decision.padEnd(8)} exit ${result.exitCode} (${wall.toFixed(0)} s, load ${(loadavg()[0] ?? 0).toFixed(1)}) ${metrics}${differing.length ? ` | gates differing: ${differing.join(', ')}` : ''}${canary.decision === 'promote' ? '' : ` | ${canary.reasons[0] ?? ''}`}`);
    }
    const total = walls.reduce((sum, wall) => sum + wall, 0);
    figures.push(
      figure({ bench: 'canary-aa', name: `canary:check --aa --kind ${kind}: rollbacks in ${RUNS}`, value: counts.rollback ?? 0, unit: 'count', goal: 0, note: 'an unchanged canary never rolls back' }),
      figure({ bench: 'canary-aa', name: `canary:check --aa --kind ${kind}: holds in ${RUNS}`, value: counts.hold ?? 0, unit: 'count' }),
    );
    console.log(`  --kind ${kind}: promote ${counts.promote}/${RUNS}, hold ${counts.hold}/${RUNS}, rollback ${counts.rollback}/${RUNS}${counts.error ? `, no judgement ${counts.error}/${RUNS}` : ''}; ${(total / RUNS).toFixed(0)} s per run`);
  }
  return figures;
}
