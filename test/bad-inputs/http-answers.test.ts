import { describe, expect, it } from 'vitest';
import { HANG_PROBE_TIMEOUT_MS } from '../../tasks/worker-test/worker-hang.ts';
import { fixturePath } from '../helpers/fixture-path.ts';
import { checkNamed, runTask } from '../helpers/run-task-in-process.ts';

// Bad-input catalogue (docs/bad-inputs.md), HTTP answers: a real worker:test run against a real
// server (test/fixtures/processes/bad-http-worker.mjs, OpenAI-style) that answers one route badly.
// Each row asserts the failing check, its named error and the exit code, and that nothing is left.
const worker = fixturePath('processes/bad-http-worker.mjs');

async function runAgainst(mode: string) {
  // --fail-after-errors 2 keeps the rows short (the verdicts are the same with the default 10);
  // the startup budget stays generous so a loaded machine cannot turn an error into a timeout.
  // Slowloris: no error limit and a short budget, so the budget is what ends it (deterministically).
  const [failAfter, budget] = mode === 'health-slowloris' ? ['1000', '3'] : ['2', '30'];
  return await runTask(['worker:test', '--profile', 'openai', '--fail-after-errors', failAfter, '--timeout', budget, '--worker-cmd', `${process.execPath} ${worker} --port {port} --mode ${mode}`]);
}

describe('bad HTTP answers: the check fails by name, exit 1', () => {
  it('H0 (control) the same server answering well passes', async () => {
    const run = await runAgainst('ok');
    expect(run.exitCode, run.output).toBe(0);
  });

  it.each([
    ['H1 health answers 200 with text, not JSON', 'health-not-json', 'health', 'ENDPOINT_ERRORS', '(not a JSON object)'],
    ['H2 health answers 500', 'health-500', 'health', 'ENDPOINT_ERRORS', 'HTTP 500'],
    ['H3 health answers a 64 MiB body (content-length given)', 'health-huge', 'health', 'ENDPOINT_ERRORS', 'with a body above 8388608 bytes (content-length 67108866)'],
    ['H4 health resets every connection', 'health-reset', 'health', 'ENDPOINT_ERRORS', 'connection reset'],
    ['H5 slowloris: health sends a status line, then a byte every 200 ms', 'health-slowloris', 'health', 'WAIT_TIMEOUT', 'request timeout'],
    ['H6 models answers HTML', 'models-not-json', 'models', 'MODELS_INVALID', '<html>models</html>'],
    ['H7 completion answers HTML with 200', 'completion-not-json', 'inference JSON POST /v1/completions', 'HTTP_BAD_JSON', 'a body that is not JSON'],
    ['H8 completion answers a 64 MiB chunked body (no length)', 'completion-huge', 'inference JSON POST /v1/completions', 'INFERENCE_FAILED', 'with a body above 8388608 bytes'],
    ['H9 a stream answered as application/json', 'sse-wrong-type', 'inference SSE POST /v1/completions', 'INFERENCE_INVALID', "expected content-type text/event-stream, got 'application/json'"],
    ['H10 truncated SSE: the connection drops before the finish and [DONE]', 'sse-truncated', 'inference SSE POST /v1/completions', 'SSE_FAILED', 'stream failed'],
  ])('%s', async (_, mode, check, code, text) => {
    const run = await runAgainst(mode);
    expect(run.exitCode, run.output).toBe(1);
    const failed = checkNamed(run.report, check);
    expect(failed.verdict).toBe('fail');
    expect(failed.code).toBe(code);
    expect(failed.detail).toContain(text);
    if (mode === 'health-slowloris') {
      // Its last health request went unanswered for the hang probe's whole limit: the worker is named
      // hung from that observation, without waiting for a second, identical one after the budget.
      expect(failed.detail).toContain(`the worker is hung: it is running (pid `);
      const hang = failed.evidence.hang as { healthProbe: { observedBy: string } };
      expect(hang.healthProbe.observedBy).toBe('the timed-out wait on the health route (its last request)');
      expect(failed.durationMs - (failed.evidence.waitedMs as number)).toBeLessThan(HANG_PROBE_TIMEOUT_MS);
    }
    expect(checkNamed(run.report, 'teardown').verdict).toBe('pass'); // nothing left behind
  });
});
