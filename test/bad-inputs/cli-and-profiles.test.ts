import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../tasks/runner/run-cli.ts';
import { TASKS } from '../../tasks/task-table.ts';

// Bad-input catalogue (docs/bad-inputs.md), CLI flags and profile files: each row is a real run of
// the runner (the code path of `npm run task`), asserting the named error and the exit code.
const dir = mkdtempSync(join(tmpdir(), 'hivecheck-bad-input-'));

async function run(args: readonly string[]): Promise<{ exitCode: number; output: string }> {
  let output = '';
  const sink = { write: (text: string) => (output += text), isTTY: false };
  const exitCode = await runCli(args, TASKS, { stdout: sink, stderr: sink, env: { ...process.env, CI: 'true' }, cwd: dir });
  return { exitCode, output };
}

const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('bad CLI input: exit 2, named', () => {
  it.each([
    ['C1 unknown task', ['worker:tset'], 'UNKNOWN_TASK', "unknown task 'worker:tset'"],
    ['C2 no task', [], 'NO_TASK', 'no task given'],
    ['C3 unknown flag', ['worker:test', '--frobnicate'], 'UNKNOWN_FLAG', "Unknown option '--frobnicate'"],
    ['C4 flag without its value', ['worker:test', '--model'], 'BAD_FLAGS', "Option '--model <value>' argument missing"],
    ['C5 not a number', ['worker:test', '--timeout', 'soon'], 'BAD_FLAG_VALUE', "--timeout expects a number, got 'soon'"],
    ['C6 below the minimum', ['worker:test', '--timeout', '0'], 'BAD_FLAG_VALUE', '--timeout must be at least 0.1, got 0'],
    ['C7 not a whole number', ['worker:test', '--workers', '1.5'], 'BAD_FLAG_VALUE', "--workers expects a whole number, got '1.5'"],
    ['C8 port out of range', ['worker:test', '--port', '70000'], 'BAD_FLAG_VALUE', '--port must be at most 65535, got 70000'],
    ['C9 not one of the choices', ['worker:test', '--stream', 'xml'], 'BAD_FLAG_VALUE', "--stream must be one of both, json, sse; got 'xml'"],
    ['C10 unknown backend in a list', ['worker:test', '--backend', 'cpu,tpu'], 'BAD_FLAG_VALUE', '--backend must be one of cpu, cuda, vulkan, metal'],
    ['C11 flags that exclude each other', ['worker:test', '--worker-bin', '/a', '--worker-cmd', '/b'], 'FLAGS_CONFLICT', '--worker-bin and --worker-cmd both say how to start the worker'],
    ['C12 shell syntax in --worker-cmd', ['worker:test', '--worker-cmd', 'my-worker --port {port} | tee log'], 'BAD_COMMAND_TEMPLATE', "run without a shell, so '|' cannot be used"],
    ['C13 unknown placeholder', ['worker:test', '--worker-cmd', `${process.execPath} --port {prot}`], 'BAD_COMMAND_TEMPLATE', '{prot}, which is not a known placeholder'],
    ['C14 empty --worker-cmd', ['worker:test', '--worker-cmd', '   '], 'BAD_COMMAND_TEMPLATE', '--worker-cmd is empty'],
    ['C15 --url that is not a URL', ['status-protocol:test', '--url', 'localhost 8000'], 'BAD_URL', '--url "localhost 8000" is not a URL'],
    ['C16 --url with another scheme', ['status-protocol:test', '--url', 'ftp://127.0.0.1:8000'], 'BAD_URL', '--url must be ws://, wss://, http:// or https://, got ftp:'],
    ['C17 --url with --server-cmd', ['status-protocol:test', '--url', 'ws://127.0.0.1:1', '--server-cmd', 'srv {port}'], 'FLAGS_CONFLICT', '--url and --server-cmd exclude each other'],
  ])('%s', async (_, args, code, message) => {
    const result = await run(args);
    expect(result.exitCode, result.output).toBe(2);
    expect(result.output).toContain(`[${code}]`);
    expect(result.output).toContain(message);
  });
});

describe('bad profile files: exit 2, named', () => {
  it.each([
    ['P1 profiles file missing', () => join(dir, 'nope.json'), 'PROFILE_FILE_UNREADABLE', 'cannot read profiles file'],
    ['P2 not JSON', () => file('bad.json', '{"profiles": [ {"name": "x", }'), 'PROFILE_FILE_BAD_JSON', 'is not valid JSON'],
    ['P3 "profiles" not an array', () => file('obj.json', '{"profiles": {"name": "x"}}'), 'PROFILE_INVALID', '"profiles" must be an array'],
    ['P4 a route without a leading slash', () => file('route.json', JSON.stringify({ profiles: [{ name: 'mine', health: { path: 'health', expect: 'status-ok' }, inference: [{ path: '/x', request: 'seed' }] }] })), 'PROFILE_INVALID', "health.path must start with '/'"],
    ['P5 an unknown answer judge', () => file('judge.json', JSON.stringify({ profiles: [{ name: 'mine', health: { path: '/health', expect: 'looks-fine' }, inference: [{ path: '/x', request: 'seed' }] }] })), 'PROFILE_INVALID', 'health.expect'],
  ])('%s', async (_, path, code, message) => {
    const result = await run(['worker:test', '--profiles', path(), '--profile', 'mine']);
    expect(result.exitCode, result.output).toBe(2);
    expect(result.output).toContain(`[${code}]`);
    expect(result.output).toContain(message);
  });

  it('P6 an unknown --profile name lists the known ones', async () => {
    const result = await run(['worker:test', '--profile', 'sed']);
    expect(result.exitCode).toBe(2);
    expect(result.output).toContain('[PROFILE_UNKNOWN]');
    expect(result.output).toContain("no worker profile named 'sed' (known: llama-server, openai, seed, v1)");
  });
});
