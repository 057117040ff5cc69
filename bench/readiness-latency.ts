/**
 * How quickly does the harness notice that a worker became ready, or died?
 *
 * A server fixture starts listening after a delay and prints the (high-resolution) moment it
 * did. We wait for it with the harness's strategy (probe again when the process prints a line;
 * otherwise poll from 5 ms, backing off to 100 ms), with the same poll but no log line to wake on,
 * and with fixed-interval polls like the seed's scripts (500 ms, 1 s), and report how long after
 * the server was up each wait returned. Then the same for a process that exits: how long the
 * harness takes to fail (fail-fast on exit) versus a fixed 30 s health timeout.
 *
 * Run: npm run bench -- readiness     (figures on stdout; nothing is asserted)
 */
import { fileURLToPath } from 'node:url';
import getPort from 'get-port';
import { ProcessGuard } from '../tasks/lib/process/process-guard.ts';
import { spread, type Spread } from '../tasks/lib/stats/percentiles.ts';
import { httpReadiness } from '../tasks/lib/wait-strategies/http-wait-strategy.ts';
import { waitFor } from '../tasks/lib/wait-strategies/wait-for.ts';

const serverScript = fileURLToPath(new URL('../test/fixtures/processes/http-server.mjs', import.meta.url));
const exitScript = fileURLToPath(new URL('../test/fixtures/processes/exit-early.mjs', import.meta.url));
const TRIALS = Number(process.env.BENCH_TRIALS ?? 15);
const now = (): number => performance.timeOrigin + performance.now();

type Strategy = { name: string; options: { initialIntervalMs: number; maxIntervalMs: number; backoffFactor: number; wakeOnOutput: boolean } };
const strategies: Strategy[] = [
  { name: 'harness (poll + wake on log line)', options: { initialIntervalMs: 5, maxIntervalMs: 100, backoffFactor: 1.5, wakeOnOutput: true } },
  { name: 'harness, silent server (poll only)', options: { initialIntervalMs: 5, maxIntervalMs: 100, backoffFactor: 1.5, wakeOnOutput: false } },
  { name: 'fixed 500 ms poll', options: { initialIntervalMs: 500, maxIntervalMs: 500, backoffFactor: 1, wakeOnOutput: false } },
  { name: 'fixed 1 s poll (seed style)', options: { initialIntervalMs: 1000, maxIntervalMs: 1000, backoffFactor: 1, wakeOnOutput: false } },
];

async function oneTrial(strategy: Strategy, delayMs: number): Promise<number> {
  const port = await getPort({ host: '127.0.0.1' });
  await using server = await ProcessGuard.start({ name: 'server', command: process.execPath, args: [serverScript, 'late-listen', String(delayMs), String(port)] });
  await waitFor(httpReadiness({ url: `http://127.0.0.1:${port}/`, ownerAlive: () => server.running }), { description: 'server', timeoutMs: 20_000, failFastOn: [server], ...strategy.options });
  const detected = now();
  const [, , listenedAt] = await server.waitForLine(/^listening (\d+) ([\d.]+)/, { timeoutMs: 5000 });
  return detected - Number(listenedAt);
}

async function exitTrial(): Promise<number> {
  await using worker = await ProcessGuard.start({ name: 'worker', command: process.execPath, args: [exitScript, '1', '200'] });
  let exitedAt = 0;
  void worker.exited.then(() => (exitedAt = now()));
  await waitFor(async () => ({ ready: false, observed: 'not yet' }), { description: 'healthy', timeoutMs: 30_000, failFastOn: [worker] }).catch(() => undefined);
  return now() - exitedAt;
}

const row = (name: string, s: Spread): string => `${name.padEnd(34)} n=${String(s.n).padEnd(3)} p50 ${s.p50.toFixed(1).padStart(7)} ms   p95 ${s.p95.toFixed(1).padStart(7)} ms   max ${s.max.toFixed(1).padStart(7)} ms`;

export async function readinessBench(): Promise<void> {
  console.log(`readiness detection latency (time from "server listening" to "wait returned"), ${TRIALS} trials each, delays 100–400 ms`);
  const delays = Array.from({ length: TRIALS }, (_, i) => 100 + ((i * 97) % 300));
  const results = new Map<string, Spread>();
  for (const strategy of strategies) {
    const samples: number[] = [];
    for (const delay of delays) samples.push(await oneTrial(strategy, delay));
    const s = spread(samples);
    results.set(strategy.name, s);
    console.log(row(strategy.name, s));
  }
  const harness = results.get(strategies[0]?.name ?? '') as Spread;
  for (const strategy of strategies.slice(1)) {
    const other = results.get(strategy.name) as Spread;
    console.log(`  ratio ${strategy.name} / harness: p50 ${(other.p50 / harness.p50).toFixed(1)}×, p95 ${(other.p95 / harness.p95).toFixed(1)}×`);
  }
  const exits: number[] = [];
  for (let i = 0; i < TRIALS; i += 1) exits.push(await exitTrial());
  const exitSpread = spread(exits);
  console.log(row('fail-fast on worker exit', exitSpread));
  console.log(`  vs waiting out a 30 s startup timeout: ${(30_000 / exitSpread.p50).toFixed(0)}× sooner (p50)`);
}
