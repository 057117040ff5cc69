/**
 * How quickly does the harness notice that a worker became ready, or died?
 *
 * Server fixtures become ready after a delay and tell the (high-resolution) moment they did:
 * `late-listen` starts listening (connections refused until then), `ready` answers 503 until then.
 * Neither prints anything when it becomes ready (a silent server), except `late-listen`'s
 * "listening" line, which the harness may wake on. We wait with the harness's strategy and with the
 * baselines (the previous 5 → 100 ms backoff, fixed 500 ms and 1 s polls like the seed's scripts)
 * and report how long after the server was ready each wait returned. Then what polling costs while
 * a worker answers "not ready" (requests, server and harness CPU per second of waiting), and how
 * fast a wait fails when the process exits.
 *
 * Run: npm run bench -- readiness     (BENCH_TRIALS=15 by default; figures, nothing asserted)
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import getPort from 'get-port';
import { ProcessGuard } from '../tasks/lib/process/process-guard.ts';
import { spread, type Spread } from '../tasks/lib/stats/percentiles.ts';
import { httpReadiness } from '../tasks/lib/wait-strategies/http-wait-strategy.ts';
import { WAIT_DEFAULTS, waitFor, type WaitOptions } from '../tasks/lib/wait-strategies/wait-for.ts';
import { figure, type Figure } from './figures.ts';

const serverScript = fileURLToPath(new URL('../test/fixtures/processes/http-server.mjs', import.meta.url));
const exitScript = fileURLToPath(new URL('../test/fixtures/processes/exit-early.mjs', import.meta.url));
const TRIALS = Number(process.env.BENCH_TRIALS ?? 15);
const now = (): number => performance.timeOrigin + performance.now();

/** A poll's backoff, and whether it probes with a bare TCP connect every 2 ms while refused (the harness's default). */
type Poll = Pick<WaitOptions, 'initialIntervalMs' | 'maxIntervalMs' | 'backoffFactor' | 'wakeOnOutput'> & { connectWhileRefused?: boolean };
const HARNESS: Poll = { ...WAIT_DEFAULTS, wakeOnOutput: false };
const HTTP_ONLY = 'HTTP probes only, 2→10 ms (before)';
const BASELINES: Record<string, Poll> = {
  [HTTP_ONLY]: { ...WAIT_DEFAULTS, wakeOnOutput: false, connectWhileRefused: false },
  'previous backoff 5→100 ms': { initialIntervalMs: 5, maxIntervalMs: 100, backoffFactor: 1.5, wakeOnOutput: false, connectWhileRefused: false },
  'fixed 500 ms poll': { initialIntervalMs: 500, maxIntervalMs: 500, backoffFactor: 1, wakeOnOutput: false, connectWhileRefused: false },
  'fixed 1 s poll (seed)': { initialIntervalMs: 1000, maxIntervalMs: 1000, backoffFactor: 1, wakeOnOutput: false, connectWhileRefused: false },
};
const readiness = (port: number, server: ProcessGuard, poll: Poll): ReturnType<typeof httpReadiness> =>
  httpReadiness({ url: `http://127.0.0.1:${port}/`, ownerAlive: () => server.running, ...(poll.connectWhileRefused === undefined ? {} : { connectWhileRefused: poll.connectWhileRefused }) });

/** Starts a fixture server, waits for it with `poll`, and returns how late the wait noticed it was ready. */
async function oneTrial(mode: 'late-listen' | 'ready', poll: Poll, delayMs: number): Promise<number> {
  const port = await getPort({ host: '127.0.0.1' });
  await using server = await ProcessGuard.start({ name: 'server', command: process.execPath, args: [serverScript, mode, String(delayMs), String(port)] });
  if (mode === 'ready') await server.waitForLine(/^listening/, { timeoutMs: 10_000 });
  const outcome = await waitFor(readiness(port, server, poll), { description: 'server', timeoutMs: 20_000, failFastOn: [server], ...poll });
  const detected = now();
  if (mode === 'ready') return detected - (JSON.parse(outcome.value.response.text) as { readyAt: number }).readyAt;
  const [, , listenedAt] = await server.waitForLine(/^listening (\d+) ([\d.]+)/, { timeoutMs: 5000 });
  return detected - Number(listenedAt);
}

async function series(mode: 'late-listen' | 'ready', poll: Poll): Promise<Spread> {
  const samples: number[] = [];
  for (let i = 0; i < TRIALS; i += 1) samples.push(await oneTrial(mode, poll, 100 + ((i * 97) % 300)));
  return spread(samples);
}

/** Two polls' trials interleaved (A, B, A, B…), so both see the same load on a shared machine. */
async function pairedSeries(mode: 'late-listen' | 'ready', a: Poll, b: Poll): Promise<[Spread, Spread]> {
  const samples: [number[], number[]] = [[], []];
  for (let i = 0; i < TRIALS; i += 1) {
    const delayMs = 100 + ((i * 97) % 300);
    samples[0].push(await oneTrial(mode, a, delayMs));
    samples[1].push(await oneTrial(mode, b, delayMs));
  }
  return [spread(samples[0]), spread(samples[1])];
}

/** What waiting costs the harness while the server does not listen yet (connections refused) for `loadMs`. */
async function refusedCost(poll: Poll, loadMs: number): Promise<{ attemptsPerS: number; harnessCpuMsPerS: number }> {
  const port = await getPort({ host: '127.0.0.1' });
  await using server = await ProcessGuard.start({ name: 'server', command: process.execPath, args: [serverScript, 'late-listen', String(loadMs), String(port)] });
  const harnessBefore = process.cpuUsage();
  const started = performance.now();
  const outcome = await waitFor(readiness(port, server, poll), { description: 'server', timeoutMs: 30_000, failFastOn: [server], ...poll });
  const seconds = (performance.now() - started) / 1000;
  const harness = process.cpuUsage(harnessBefore);
  return { attemptsPerS: outcome.value.tally.refused / seconds, harnessCpuMsPerS: (harness.user + harness.system) / 1000 / seconds };
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux; 10 ms resolution). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** What waiting costs while the server answers "not ready" for `loadMs`: requests, server CPU and harness CPU per second. */
async function pollingCost(poll: Poll, loadMs: number): Promise<{ requestsPerS: number; serverCpuMsPerS: number; harnessCpuMsPerS: number }> {
  const port = await getPort({ host: '127.0.0.1' });
  await using server = await ProcessGuard.start({ name: 'server', command: process.execPath, args: [serverScript, 'ready', String(loadMs), String(port)] });
  await server.waitForLine(/^listening/, { timeoutMs: 10_000 });
  const serverBefore = cpuMs(server.pid);
  const harnessBefore = process.cpuUsage();
  const started = performance.now();
  const outcome = await waitFor(readiness(port, server, poll), { description: 'server', timeoutMs: 30_000, failFastOn: [server], ...poll });
  const seconds = (performance.now() - started) / 1000;
  const harness = process.cpuUsage(harnessBefore);
  return {
    requestsPerS: (outcome.value.tally['not-ready'] + 1) / seconds,
    serverCpuMsPerS: (cpuMs(server.pid) - serverBefore) / seconds,
    harnessCpuMsPerS: (harness.user + harness.system) / 1000 / seconds,
  };
}

async function exitTrial(): Promise<number> {
  await using worker = await ProcessGuard.start({ name: 'worker', command: process.execPath, args: [exitScript, '1', '200'] });
  let exitedAt = 0;
  void worker.exited.then(() => (exitedAt = now()));
  await waitFor(async () => ({ ready: false, observed: 'not yet' }), { description: 'healthy', timeoutMs: 30_000, failFastOn: [worker] }).catch(() => undefined);
  return now() - exitedAt;
}

const row = (name: string, s: Spread): string => `${name.padEnd(40)} n=${String(s.n).padEnd(3)} p50 ${s.p50.toFixed(1).padStart(7)} ms   p95 ${s.p95.toFixed(1).padStart(7)} ms   max ${s.max.toFixed(1).padStart(7)} ms`;

export async function readinessBench(): Promise<Figure[]> {
  console.log(`readiness detection latency (server ready → wait returned), ${TRIALS} trials each, delays 100–400 ms`);
  const figures: Figure[] = [];
  for (const [mode, what] of [['late-listen', 'starts listening'], ['ready', 'turns 503 → 200']] as const) {
    // The harness and the HTTP-only poll it replaces, trial by trial under the same load.
    const [harness, httpOnly] = await pairedSeries(mode, HARNESS, BASELINES[HTTP_ONLY] as Poll);
    console.log(row(`harness, silent server ${what}`, harness));
    const baselines: Record<string, Spread> = { [HTTP_ONLY]: httpOnly };
    console.log(row(`  ${HTTP_ONLY}`, httpOnly));
    for (const [name, poll] of Object.entries(BASELINES)) {
      if (name === HTTP_ONLY) continue;
      baselines[name] = await series(mode, poll);
      console.log(row(`  ${name}`, baselines[name] as Spread));
    }
    for (const [stat, goal] of [['p50', 10], ['p95', 25]] as const) {
      figures.push(figure({ bench: 'readiness', name: `readiness ${stat}, silent server ${what}`, value: harness[stat], unit: 'ms', goal, baselines: Object.entries(baselines).map(([name, s]) => ({ name, value: s[stat] })) }));
    }
  }
  const withLog = await series('late-listen', { ...WAIT_DEFAULTS, wakeOnOutput: true });
  console.log(row('harness, server logs "listening" (wakes)', withLog));
  figures.push(figure({ bench: 'readiness', name: 'readiness p50, server logs a line', value: withLog.p50, unit: 'ms', goal: 10 }));

  const loadMs = 3000;
  await pollingCost(HARNESS, 500); // warm-up: the first wait in a process also pays for loading and compiling the HTTP client
  const cost = await pollingCost(HARNESS, loadMs);
  const previous = await pollingCost(BASELINES['previous backoff 5→100 ms'] as Poll, loadMs);
  console.log(`cost while the server answers "not ready" for ${loadMs / 1000} s: harness ${cost.requestsPerS.toFixed(0)} req/s, server CPU ${cost.serverCpuMsPerS.toFixed(1)} ms/s, harness CPU ${cost.harnessCpuMsPerS.toFixed(1)} ms/s; previous backoff ${previous.requestsPerS.toFixed(0)} req/s, ${previous.serverCpuMsPerS.toFixed(1)} ms/s, ${previous.harnessCpuMsPerS.toFixed(1)} ms/s`);
  const prev = (value: number): { name: string; value: number }[] => [{ name: 'previous backoff 5→100 ms', value }];
  figures.push(figure({ bench: 'readiness', name: 'probe requests to a "not ready" worker', value: cost.requestsPerS, unit: 'req/s', baselines: prev(previous.requestsPerS) }));
  figures.push(figure({ bench: 'readiness', name: 'worker CPU spent answering probes', value: cost.serverCpuMsPerS, unit: 'ms/s', baselines: prev(previous.serverCpuMsPerS), note: 'CPU ms per second of waiting, /proc, 10 ms resolution' }));
  figures.push(figure({ bench: 'readiness', name: 'harness CPU spent probing', value: cost.harnessCpuMsPerS, unit: 'ms/s', baselines: prev(previous.harnessCpuMsPerS) }));

  // While nothing listens yet: bare connects every 2 ms (now) against HTTP requests on the 2 → 10 ms backoff (before), back to back.
  await refusedCost(HARNESS, 500);
  await refusedCost(BASELINES[HTTP_ONLY] as Poll, 500);
  const refused = { now: [] as number[], before: [] as number[], nowRate: [] as number[], beforeRate: [] as number[] };
  for (let i = 0; i < 3; i += 1) {
    const a = await refusedCost(HARNESS, 1500);
    const b = await refusedCost(BASELINES[HTTP_ONLY] as Poll, 1500);
    refused.now.push(a.harnessCpuMsPerS);
    refused.nowRate.push(a.attemptsPerS);
    refused.before.push(b.harnessCpuMsPerS);
    refused.beforeRate.push(b.attemptsPerS);
  }
  const med = (values: number[]): number => spread(values).p50;
  console.log(`cost while nothing listens yet (refused, 3 × 1.5 s each, p50): connect probes ${med(refused.nowRate).toFixed(0)} attempts/s, harness CPU ${med(refused.now).toFixed(1)} ms/s; ${HTTP_ONLY} ${med(refused.beforeRate).toFixed(0)} attempts/s, ${med(refused.before).toFixed(1)} ms/s`);
  figures.push(figure({ bench: 'readiness', name: 'probe attempts while nothing listens yet', value: med(refused.nowRate), unit: 'req/s', baselines: [{ name: HTTP_ONLY, value: med(refused.beforeRate) }], note: 'bare TCP connects; the kernel refuses them, the worker does no work' }));
  figures.push(figure({ bench: 'readiness', name: 'harness CPU probing while nothing listens yet', value: med(refused.now), unit: 'ms/s', baselines: [{ name: HTTP_ONLY, value: med(refused.before) }] }));

  const exits: number[] = [];
  for (let i = 0; i < TRIALS; i += 1) exits.push(await exitTrial());
  const exitSpread = spread(exits);
  console.log(row('fail-fast on worker exit', exitSpread));
  figures.push(figure({ bench: 'readiness', name: 'fail-fast on worker exit p50', value: exitSpread.p50, unit: 'ms', baselines: [{ name: 'a 30 s startup timeout', value: 30_000 }] }));
  return figures;
}
