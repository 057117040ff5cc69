import { describe, expect, it } from 'vitest';
import { chaosRun, type ChaosRunResult } from '../../tasks/lib/chaos/chaos-run.ts';
import { describeRun } from '../../tasks/lib/chaos/chaos-summary.ts';

// The bounded chaos run (`npm run chaos` is the long one). Each case is a real worker:test run
// with a real fault; every process of the run is found by an environment tag it inherited, so a
// leak the harness does not know about still counts. "Nothing left" is judged 10 s after the
// harness exited (a bound for a loaded 2-core machine; the chaos script reports the real figure).
const SETTLE_MS = 10_000;
// Each case is a whole worker:test run (tsx start-up, model load): minutes on a loaded 2-core machine.
const CASE_TIMEOUT_MS = 240_000;

function expectNothingLeft(result: ChaosRunResult): void {
  const detail = `${describeRun(0, result)}\n${result.output.slice(-3000)}`;
  expect(result.injected, detail).toBe(true);
  expect(result.portsSeen.length, detail).toBeGreaterThan(0);
  expect(result.survivors, detail).toEqual([]);
  expect(result.leakedPorts, detail).toEqual([]);
}

describe('chaos (bounded)', () => {
  it('kill -9 of the harness while it waits for health: the watchdog kills the worker and its port-holding grandchild', async () => {
    const result = await chaosRun({ fault: 'harness-SIGKILL', delayMs: 300, forkGrandchildren: true, settleMs: SETTLE_MS });
    expect(result.exitSignal).toBe('SIGKILL');
    expectNothingLeft(result);
  }, CASE_TIMEOUT_MS);

  it("the issue's repro: kill -9 of the harness testing python3 -m http.server leaves no python server", async () => {
    const result = await chaosRun({
      fault: 'harness-SIGKILL',
      delayMs: 200,
      afterWorkerListens: true, // python is up and answering 404: the harness is waiting for health
      forkGrandchildren: false,
      settleMs: SETTLE_MS,
      worker: { flags: ['--profile', 'openai', '--fail-after-errors', '100000', '--worker-cmd', 'python3 -m http.server {port} --bind 127.0.0.1'], match: 'http.server' },
    });
    expect(result.exitSignal).toBe('SIGKILL');
    expectNothingLeft(result);
  }, CASE_TIMEOUT_MS);

  it('SIGINT to the harness: exit 130, the forking worker and its grandchild gone', async () => {
    const result = await chaosRun({ fault: 'harness-SIGINT', delayMs: 300, forkGrandchildren: true, settleMs: SETTLE_MS });
    expect(result.exitCode).toBe(130);
    expectNothingLeft(result);
  }, CASE_TIMEOUT_MS);

  it('a hung (SIGSTOPped) worker: the run fails on its startup budget and the stopped worker is torn down', async () => {
    const result = await chaosRun({ fault: 'worker-hang', delayMs: 0, forkGrandchildren: false, timeoutS: 3, settleMs: SETTLE_MS });
    expect(result.exitCode).toBe(1);
    expect(result.output).toMatch(/teardown: SIGTERM → (ended by SIGTERM|exited)/); // SIGCONT let it act on SIGTERM: no SIGKILL needed
    expectNothingLeft(result);
  }, CASE_TIMEOUT_MS);
});
