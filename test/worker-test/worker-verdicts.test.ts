/**
 * worker:test verdicts that a real llama-server showed wrong, each reproduced with the reference
 * worker behaving as the real server did.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ensureTinyModel } from '../../fixtures/tiny-model/write-tiny-llama.ts';
import { processesMatching } from '../../tasks/lib/process/find-processes.ts';
import type { InferenceResult } from '../../tasks/lib/worker/inference-styles.ts';
import { checkNamed, runTask, verdicts, type InProcessRun } from '../helpers/run-task-in-process.ts';
import { programCommand } from '../helpers/program-command.ts';

/** Generous startup budget: these runs must pass on a loaded 2-core machine. */
const SLOW_OK = ['--timeout', '120'];

function nothingLeft(run: InProcessRun): void {
  for (const id of run.report.settings.workerIds as string[]) expect(processesMatching(id), `processes of ${id} left running`).toEqual([]);
}

function everythingWritten(run: InProcessRun): string {
  const logs = join(run.reportDir, 'logs');
  const files = existsSync(logs) ? readdirSync(logs).map((file) => readFileSync(join(logs, file), 'utf8')) : [];
  return [run.output, readFileSync(join(run.reportDir, 'report.json'), 'utf8'), readFileSync(join(run.reportDir, 'junit.xml'), 'utf8'), ...files].join('\n');
}

describe('llama-server: a byte-vocabulary model whose characters span tokens', () => {
  it('counts tokens from the server (tokens_predicted / usage), not from events, and benches against its timings', async () => {
    const model = await ensureTinyModel(undefined, 'utf8');
    // A fixed sampling seed: the same tokens every run (random sampling could, rarely, write no "é").
    const run = await runTask(['worker:test', '--profile', 'llama-server', '--model', model, '--stream', 'sse', '--bench', '--bench-requests', '3', '--worker-arg=--sampling-seed=7', ...SLOW_OK]);
    expect(run.exitCode, run.output).toBe(0);
    for (const name of ['inference SSE POST /completion', 'inference SSE POST /v1/completions']) {
      const check = checkNamed(run.report, name);
      const result = check.evidence.result as InferenceResult;
      expect(result.tokenSource).toBe('server');
      // The server generated more tokens than it sent text events: "é" is two tokens, one event.
      expect(result.tokenEvents as number).toBeLessThan(result.tokens);
      expect(result.text).toContain('é');
      expect(check.detail).toMatch(new RegExp(`^${result.tokens} tokens \\(server's count; ${result.tokenEvents} text events: partial characters are sent with a later token\\)`));
      expect(result.serverTimings?.predictedN).toBe(result.tokens);
    }
    const bench = checkNamed(run.report, 'benchmark');
    const figures = bench.evidence.bench as { tokenCount: string; agreement: { requests: number; tokensPerSecond: { client: number; server: number } } };
    expect(figures.tokenCount).toBe('server');
    expect(figures.agreement.requests).toBe(3);
    expect(figures.agreement.tokensPerSecond.server).toBeGreaterThan(0);
    expect(bench.detail).toContain('client-side, incl. TTFT and HTTP');
    // The generation rate is compared when a stream's events were read over time; on a busy machine all
    // three short streams can arrive in one read each, and then the bench says so instead of a rate.
    expect(bench.detail).toMatch(/Client vs worker's own timings \(p50\): TTFT .* latency .* generation( \d[\d.]* vs [\d.]+ tokens\/s|: n\/a \(every stream arrived too bunched to give a rate)/);
    // Health evidence: the answers seen, in order; llama-server answers 503 "Loading model" first.
    const health = checkNamed(run.report, 'health').evidence as { answers: { status: number | string; body: string; count: number }[]; seen: string };
    expect(health.answers.at(-1)).toMatchObject({ status: 200, body: '{"status":"ok"}', count: 1 });
    expect(health.seen).toMatch(/200 \{"status":"ok"\}$/);
    // No heartbeats in this profile: no mock hive, no empty heartbeat log.
    expect(run.output).not.toContain('mock hive');
    expect(run.report.logs.map((log) => log.name)).toEqual(['worker']);
    expect(existsSync(join(run.reportDir, 'logs', 'hive-heartbeats.log'))).toBe(false);
    nothingLeft(run);
  });
});

describe('a worker that dies after it became healthy', () => {
  it('is named at once (PROCESS_EXITED with its signal and log tail), the rest skipped, teardown does not blame the harness', async () => {
    const run = await runTask(['worker:test', '--worker-arg=--fault=crash-mid-stream', '--stream', 'sse', '--bench', '--heartbeat-interval', '0.3', ...SLOW_OK]);
    expect(run.exitCode, run.output).toBe(1);
    const inference = checkNamed(run.report, 'inference SSE POST /v1/inference');
    expect(inference.code).toBe('PROCESS_EXITED');
    expect(inference.detail).toMatch(/^worker was killed by SIGKILL while waiting for the SSE answer of POST \/v1\/inference \(after /);
    // "after" is how long the check had waited, not how long the worker had run (labelled apart).
    expect(inference.detail).toMatch(/\(after [\d.]+ m?s; it had run [\d.]+ m?s\)$/);
    const { waitedMs, uptimeMs } = inference.evidence as { waitedMs: number; uptimeMs: number };
    expect(waitedMs).toBeLessThanOrEqual(Math.ceil(inference.durationMs) + 1);
    expect(uptimeMs).toBeGreaterThan(waitedMs);
    expect((inference.evidence.logTail as string[]).join('\n')).toContain('fault injected (crash-mid-stream)');
    expect(inference.hint).toMatch(/^it was killed by SIGKILL from outside the harness \(the harness had not stopped it\); its log says: ".*fault injected \(crash-mid-stream\)/);
    expect(checkNamed(run.report, 'benchmark')).toMatchObject({ verdict: 'skip', detail: 'the worker had exited (killed by SIGKILL)' });
    expect(checkNamed(run.report, 'teardown').detail).toBe('had already been ended by SIGKILL before teardown (not by the harness); no process of its group left');
    expect(run.output).not.toMatch(/SSE_FAILED|ECONNREFUSED/);
    nothingLeft(run);
  });
});

describe('a key-protected server', () => {
  it('without --api-key: 401 named with the fix; the key in the worker command is masked everywhere', async () => {
    const run = await runTask(['worker:test', '--profile', 'openai', '--stream', 'json', '--worker-arg=--api-key=sekrit-123', ...SLOW_OK]);
    expect(run.exitCode, run.output).toBe(1);
    expect(checkNamed(run.report, 'health').verdict).toBe('pass'); // health stays public, as in llama-server
    const models = checkNamed(run.report, 'models');
    expect(models.code).toBe('MODELS_INVALID');
    const inference = checkNamed(run.report, 'inference JSON POST /v1/completions');
    expect(inference.detail).toContain('answered HTTP 401');
    expect(inference.hint).toBe('the server wants an API key: pass --api-key <key> (sent as Authorization: Bearer) or --header "Name: value"');
    expect(run.output).toContain('--api-key=[REDACTED]');
    // The screen masks the secret, not the words of the hint that name the flag and the header.
    expect(run.output).toContain('fix: the server wants an API key: pass --api-key <key> (sent as Authorization: Bearer) or --header "Name: value"');
    expect(everythingWritten(run)).not.toContain('sekrit-123');
    nothingLeft(run);
  });

  it('with --api-key (and a model given relative to the directory the command ran in): passes, key never printed', async () => {
    const home = mkdtempSync(join(tmpdir(), 'hivecheck-cwd-'));
    mkdirSync(join(home, 'models'));
    mkdirSync(join(home, 'sub'));
    copyFileSync(await ensureTinyModel(), join(home, 'models', 'tiny.gguf'));
    const run = await runTask(['worker:test', '--profile', 'llama-server', '--stream', 'sse', '--api-key', 'sekrit-123', '--model', '../models/tiny.gguf', ...SLOW_OK], { cwd: join(home, 'sub') });
    expect(run.exitCode, run.output).toBe(0);
    expect(checkNamed(run.report, 'model file').detail).toMatch(new RegExp(`^${join(home, 'models', 'tiny.gguf')}: GGUF v3`));
    expect(verdicts(run.report)['inference SSE POST /completion']).toBe('pass');
    expect(everythingWritten(run)).not.toContain('sekrit-123');
    nothingLeft(run);
  });
});

describe('an error answer to a streamed request', () => {
  it('shows the first bytes of its body, as the JSON path does (a 404 for a model name the server does not serve)', async () => {
    // No {modelRef}: the harness names the built-in ref, which this server does not serve.
    const cmd = `${programCommand('reference-worker')} --api llama-server --worker-id {workerId} --model {model} --port {port}`;
    const run = await runTask(['worker:test', '--profile', 'llama-server', '--stream', 'sse', '--worker-cmd', cmd, ...SLOW_OK]);
    expect(run.exitCode, run.output).toBe(1);
    const inference = checkNamed(run.report, 'inference SSE POST /v1/completions');
    expect(inference.code).toBe('INFERENCE_INVALID');
    expect(inference.detail).toMatch(/answered HTTP 404: \{"error":\{"code":404,"message":"the model 'hivecheck:tiny-random-llama' does not exist; this server has '[^']+'"/);
    expect((inference.evidence as { body?: string }).body).toContain('does not exist');
    expect(run.output).toMatch(/answered HTTP 404: \{"error"/);
    // The fix follows from the command: it has {model} but no {modelRef}.
    expect(inference.hint).toBe('requests name the model "hivecheck:tiny-random-llama" (--model-ref), but the worker calls its model otherwise: --worker-cmd has no {modelRef}; write {modelRef} into it (for llama-server: --alias {modelRef}), or pass --model-ref with the name it serves');
    nothingLeft(run);
  });

  it('a command without {model} loads another model: the 404 says so and how to fix it', async () => {
    const other = await ensureTinyModel(undefined, 'utf8');
    const cmd = `${programCommand('reference-worker')} --api llama-server --worker-id {workerId} --model ${await ensureTinyModel()} --port {port}`;
    const run = await runTask(['worker:test', '--profile', 'llama-server', '--stream', 'json', '--model', other, '--worker-cmd', cmd, ...SLOW_OK]);
    expect(run.exitCode, run.output).toBe(1);
    const inference = checkNamed(run.report, 'inference JSON POST /v1/completions');
    expect(inference.detail).toMatch(/answered HTTP 404: .*does not exist/);
    expect(inference.hint).toBe('the worker serves another model than --model: --worker-cmd has no {model}, so it loads the model its command names; write {model} (and {modelRef}) into --worker-cmd');
    expect(run.output).toContain('fix: the worker serves another model than --model');
    nothingLeft(run);
  });
});

describe('a stream that goes quiet and stays open', () => {
  it('says how long nothing came after the last event, with the fix (end the stream, or raise --inference-timeout)', async () => {
    const run = await runTask(['worker:test', '--worker-arg=--fault=stall-stream', '--stream', 'sse', '--inference-timeout', '2', '--heartbeat-interval', '0.3', ...SLOW_OK]);
    expect(run.exitCode, run.output).toBe(1);
    const inference = checkNamed(run.report, 'inference SSE POST /v1/inference');
    expect(inference.code).toBe('SSE_FAILED');
    expect(inference.detail).toMatch(/stream not finished within 2\.00 s after 2 event\(s\); the last at \+[\d.]+ m?s, then nothing for [\d.]+ m?s with the connection open$/);
    expect(inference.hint).toBe('the server stopped sending mid-stream and kept the connection open: it must send every token and then end the stream; if it only generates that slowly, raise --inference-timeout');
    nothingLeft(run);
  });
});

describe('user paths', () => {
  it('a relative --model resolves from where the command ran, and the error shows where it led', async () => {
    const home = mkdtempSync(join(tmpdir(), 'hivecheck-cwd-'));
    mkdirSync(join(home, 'sub'));
    const run = await runTask(['worker:test', '--model', '../models/missing.gguf'], { cwd: join(home, 'sub') });
    expect(run.exitCode).toBe(3);
    const model = checkNamed(run.report, 'model file');
    expect(model.code).toBe('MODEL_NOT_FOUND');
    expect(model.detail).toBe(`model file ../models/missing.gguf (resolved from ${join(home, 'sub')} to ${join(home, 'models', 'missing.gguf')}) does not exist`);
  });

  it('a hard-coded port allowed by --port, but the worker listens elsewhere: warned up front, the timeout says nothing answered there', async () => {
    // A free port found without get-port (whose in-process lock would make the preflight call it taken).
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const cmd = `${programCommand('reference-worker')} --api llama-server --worker-id {workerId} --model {model} --port 0`;
    const run = await runTask(['worker:test', '--profile', 'llama-server', '--port', String(port), '--timeout', '1', '--worker-cmd', cmd]);
    expect(run.exitCode, run.output).toBe(1);
    expect(run.output).toContain(`--worker-cmd has no {port} placeholder (it hard-codes port 0); the harness probes --port ${port}, so the worker must listen there`);
    const health = checkNamed(run.report, 'health');
    expect(health.code).toBe('WAIT_TIMEOUT');
    expect(health.hint).toBe(`nothing ever answered on port ${port}: check that the worker listens on the port it is given as {port} (its log below may say where it listens)`);
    expect(run.output.match(/last observed/g)?.length).toBe(2); // the progress line and the summary line, each once
    nothingLeft(run);
  });

  it('a --worker-cmd without {port} is refused before anything starts (exit 2)', async () => {
    const run = await runTask(['worker:test', '--profile', 'llama-server', '--worker-cmd', 'llama-server -m {model} --host 127.0.0.1 --port 8080 -t 1']);
    expect(run.exitCode).toBe(2);
    expect(run.output).toContain('[WORKER_CMD_NO_PORT] --worker-cmd has no {port} placeholder (it hard-codes port 8080)');
    expect(run.output).toContain('fix: write your server\'s port flag with {port} (e.g. --port {port}), or pass --port 8080');
  });
});
