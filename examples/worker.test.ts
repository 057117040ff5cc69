// hivecheck as a library in your own vitest suite: the mock hive, a worker under a guard, the
// heartbeats it sent, and a whole task run with its report. `await using` stops every process
// (its whole process group) when the test ends, passed or failed.
//
//   npm install -D hivecheck vitest && npx hivecheck engine:install && npx vitest run
import { describe, expect, it } from 'vitest';
import { MockHive, runTask, startPolicyServer, startWorker, waitForHeartbeats } from 'hivecheck';

// Your worker: WORKER_CMD="./target/release/llm-worker --port {port} --hive-url {hiveUrl} --model {model} --worker-id {workerId}".
// Unset: the built-in reference worker (real llama.cpp inference on a generated tiny model).
const command = process.env.WORKER_CMD;

describe('my worker beside the mock hive', () => {
  it('reports Loading, then Ready, to the hive', async () => {
    await using hive = await MockHive.start();
    await using worker = await startWorker({ hiveUrl: hive.url, heartbeatIntervalS: 0.2, ...(command ? { command } : {}) });
    const ready = await waitForHeartbeats(hive, { workerId: worker.workerId, state: 'Ready', count: 2, failFastOn: worker.guard });
    expect(ready[0]?.workerId).toBe(worker.workerId);
    expect(hive.log.transitions(worker.workerId).at(-1)).toBe('Ready');
  }, 120_000);

  it('passes worker:test (health, heartbeats, real inference, clean teardown)', async () => {
    const run = await runTask('worker:test', ['--heartbeat-interval', '0.3', ...(command ? ['--worker-cmd', command] : [])]);
    expect(run.exitCode, run.output).toBe(0);
    expect(run.report.checks.map((check) => check.verdict)).not.toContain('fail');
  }, 120_000);
});

describe('my policy server', () => {
  it("keeps the model-loading status protocol (status-protocol:test's checks against it)", async () => {
    // POLICY_CMD="python -m my_policy.serve --port {port}"; unset: the reference policy server.
    await using server = await startPolicyServer(process.env.POLICY_CMD ? { command: process.env.POLICY_CMD } : {});
    const run = await runTask('status-protocol:test', ['--url', server.baseUrl]);
    expect(run.exitCode, run.output).toBe(0);
  }, 120_000);
});
