/**
 * Which test files run where. vitest.config.ts builds its projects from these lists, `.ci/run`
 * picks the Node 24 run from them, and test/support/test-groups.test.ts keeps them honest.
 *
 * - QUICK_TESTS: pure and in-process tests (no child process: test/support/no-child-processes.ts
 *   fails any that starts one). `npm run test:quick`, the developer's inner loop.
 * - NODE_SENSITIVE_TESTS: the tests of what changes between Node versions. CI runs the whole suite
 *   on Node 20 (the oldest `engines` allows) and these again on Node 24, the newest users run.
 */

/** Globs relative to the repository root, as vitest's `include` takes them. */
export const QUICK_TESTS: readonly string[] = [
  'test/canary/judge/**/*.test.ts',
  'test/canary/canary-usage.test.ts',
  'test/canary/chat/connected.test.ts',
  'test/cli/**/*.test.ts',
  'test/e2e/pool-url.test.ts',
  'test/fault-proxy/**/*.test.ts',
  'test/mock-hive/heartbeat-intervals.test.ts',
  'test/mock-hive/mock-hive-server.test.ts',
  'test/model/**/*.test.ts',
  'test/output/**/*.test.ts',
  'test/process/argv-secrets.test.ts',
  'test/process/line-ring-buffer.test.ts',
  'test/process/redact.test.ts',
  'test/reference-worker/cli-options.test.ts',
  'test/registry/sqlite-connection.test.ts',
  'test/report/interrupted-checks.test.ts',
  'test/report/junit-xml.test.ts',
  'test/report/report-html.test.ts',
  'test/report/timeline.test.ts',
  'test/bad-inputs/cli-and-profiles.test.ts',
  'test/status-protocol/golden-vectors.test.ts',
  'test/status-protocol/keepalive-evidence.test.ts',
  'test/status-protocol/ndarray-codec.test.ts',
  'test/status-protocol/training/stream-judges.test.ts',
  'test/support/**/*.test.ts',
  'test/time/**/*.test.ts',
  'test/worker-test/token-source.test.ts',
  'test/worker-test/worker-test-plan.test.ts',
];

/** A glob and the Node API its tests exercise, which is why they run on Node 24 too. */
export interface NodeSensitiveGroup {
  glob: string;
  why: string;
}

export const NODE_SENSITIVE_TESTS: readonly NodeSensitiveGroup[] = [
  { glob: 'test/process/**/*.test.ts', why: 'process groups (detached spawn, kill(-pgid)), SIGTERM → SIGKILL teardown, survivors' },
  { glob: 'test/chaos/**/*.test.ts', why: 'kill -9 and SIGSTOP of the harness and its workers' },
  { glob: 'test/**/*interrupt*.test.ts', why: 'SIGINT/SIGTERM handling of a running harness (exit 130, reports written)' },
  { glob: 'test/mock-hive/**/*.test.ts', why: 'an HTTP server and a pool of spawned workers stopped by signal' },
  { glob: 'test/wait-strategies/**/*.test.ts', why: 'fetch through undici, bare TCP connects, waits on process exit' },
  { glob: 'test/fault-proxy/**/*.test.ts', why: 'raw sockets: a TCP proxy that cuts, delays and resets connections' },
  { glob: 'test/bad-inputs/http-answers.test.ts', why: 'malformed HTTP over sockets, read by undici (its parser changes with Node)' },
  { glob: 'test/bad-inputs/websocket-frames.test.ts', why: 'malformed WebSocket frames read by ws over Node sockets' },
  { glob: 'test/status-protocol/session-client.test.ts', why: 'WebSocket sessions, pings and timeouts over Node sockets' },
  { glob: 'test/registry/**/*.test.ts', why: 'the SQLite driver (node-sqlite3-wasm: WebAssembly, file locking)' },
  { glob: 'test/cli-entry/**/*.test.ts', why: 'the built CLI (esbuild bundle, bin/hivecheck.mjs) and its rebuild check' },
  { glob: 'test/fleet/node-step.test.ts', why: 'SIGTERM to a fleet node step while it starts: its handler is installed before the runner loads' },
  { glob: 'test/runner/run-cli.test.ts', why: 'the runner started as `node --import tsx` (module loader hooks)' },
  { glob: 'test/reference-worker/v1-api.test.ts', why: 'the reference worker: node-llama-cpp\'s native addon loaded by this Node' },
  { glob: 'test/e2e/e2e-task.test.ts', why: 'the whole e2e flow: spawned hive and worker, HTTP, SQLite registry' },
];

/**
 * Tests that send signals or open the SQLite registry but are about a fixture's own behaviour,
 * not the harness's use of a Node API, so they run on Node 20 only.
 */
export const NODE_SENSITIVE_EXEMPT: readonly NodeSensitiveGroup[] = [
  { glob: 'test/worker-test/secrets-outside-argv.test.ts', why: 'reads the run record of a harness it then stops with SIGINT (the redaction is plain JavaScript; signal handling is covered by the interrupt tests)' },
  { glob: 'test/fleet/fleet-slurm.test.ts', why: 'Ctrl-C of a fleet run on a local Slurm cluster: Slurm (scancel, slurmstepd) sends the signals; the harness\'s own signal handling is covered by the interrupt tests' },
  { glob: 'test/reference-worker/llama-server-behaviour.test.ts', why: 'the reference worker\'s answer to SIGTERM with a stream open (a fixture behaviour; the harness\'s signal handling is covered by test/process)' },
];
