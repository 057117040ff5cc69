/**
 * `npm run chaos [-- --runs N --seed S]`: runs worker:test again and again while sending the
 * harness SIGINT / SIGTERM / SIGKILL at random moments, killing or hanging (SIGSTOP) its worker,
 * and half the time running a worker that forks a port-holding grandchild. After each run it
 * counts the run's surviving processes and the ports a process of the run still listens on (a port
 * another process took since is named, not counted), and the overrun past the run's
 * deadline (the moment of the kill; for a hang the run's --timeout, counted from the worker's start). Exits 1 if a target is missed.
 * Not part of `npm test` (a bounded version is: test/chaos/chaos.test.ts).
 */
import { parseArgs } from 'node:util';
import { SeededRandom } from '../fixtures/tiny-model/seeded-random.ts';
import { CHAOS_FAULTS, chaosRun, type ChaosRunResult } from '../tasks/lib/chaos/chaos-run.ts';
import { chaosFigures, describeFigures, describeRun } from '../tasks/lib/chaos/chaos-summary.ts';

const USAGE = `Usage: npm run chaos [-- --runs N --seed S --timeout T]

Runs worker:test N times (default 20) while killing the harness (SIGINT / SIGTERM / SIGKILL) or its
worker (SIGKILL / SIGSTOP) at random moments, half the time with a worker that forks a port-holding
grandchild; after each run counts survivors, leaked ports and the overrun past the run's deadline.
  --runs N      runs (default 20)
  --seed S      random seed, to repeat a sequence (default: from the clock, printed)
  --timeout T   each run's worker:test --timeout, seconds (default 8)
Exit codes: 0 no survivor, no leaked port, largest overrun ≤ 1 s; 1 a target missed; 2 usage error.`;

function usageError(message: string): never {
  console.error(`chaos: ${message}\n\n${USAGE}`);
  process.exit(2);
}

let values: { runs: string; seed: string; timeout: string; help?: boolean };
try {
  values = parseArgs({ options: { runs: { type: 'string', default: '20' }, seed: { type: 'string', default: String(Date.now() % 100_000) }, timeout: { type: 'string', default: '8' }, help: { type: 'boolean', short: 'h' } } }).values as typeof values;
} catch (error) {
  usageError((error as Error).message);
}
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const runs = Number(values.runs);
const seed = Number(values.seed);
for (const [flag, value] of [['--runs', runs], ['--seed', seed], ['--timeout', Number(values.timeout)]] as const) {
  if (!Number.isFinite(value) || value < (flag === '--seed' ? 0 : 1)) usageError(`${flag} must be a number${flag === '--seed' ? '' : ' ≥ 1'}`);
}
const random = new SeededRandom(seed);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random.next() * items.length)] as T;

console.log(`chaos: ${runs} runs of worker:test, seed ${seed} (repeat with --seed ${seed})`);
const results: ChaosRunResult[] = [];
for (let index = 0; index < runs; index += 1) {
  const fault = pick(CHAOS_FAULTS);
  // A hang is injected early (while the worker loads) so the run's deadline is its --timeout.
  const delayMs = Math.round(random.next() * (fault === 'worker-hang' ? 300 : 3000));
  const result = await chaosRun({ fault, delayMs, forkGrandchildren: random.next() < 0.5, timeoutS: Number(values.timeout) });
  results.push(result);
  console.log(describeRun(index, result));
}
const figures = chaosFigures(results);
console.log(`\n${describeFigures(figures)}`);
process.exit(figures.survivors === 0 && figures.leakedPorts === 0 && figures.largestOverrunMs <= 1000 ? 0 : 1);
