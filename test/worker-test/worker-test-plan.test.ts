import { describe, expect, it } from 'vitest';
import { parseFlags } from '../../tasks/lib/cli/flag-spec.ts';
import { COMMON_FLAGS } from '../../tasks/runner/common-flags.ts';
import { WORKER_TEST_FLAGS } from '../../tasks/worker-test/worker-test-flags.ts';
import { planWorkerTest } from '../../tasks/worker-test/worker-test-plan.ts';

const plan = (args: string[], cwd = '/home/me/project/sub') => planWorkerTest(parseFlags(args, [...WORKER_TEST_FLAGS, ...COMMON_FLAGS]), cwd);
const refusal = (args: string[]): { code: string; kind: string; message: string; hint: string | undefined } => {
  try {
    plan(args);
  } catch (error) {
    return error as { code: string; kind: string; message: string; hint: string | undefined };
  }
  throw new Error('expected a refusal');
};

describe('worker:test plan: the worker command template', () => {
  it('refuses a --worker-cmd without {port}: the harness could only probe a port nobody serves (usage error)', () => {
    const error = refusal(['--profile', 'llama-server', '--worker-cmd', 'llama-server -m {model} --port 8080']);
    expect(error).toMatchObject({ code: 'WORKER_CMD_NO_PORT', kind: 'usage' });
    expect(error.message).toBe('--worker-cmd has no {port} placeholder (it hard-codes port 8080), so the harness cannot know where the worker listens: it would probe a port of its own that nobody serves');
    expect(error.hint).toContain('--port {port}');
    expect(error.hint).toContain('or pass --port 8080');
  });

  it('allows a hard-coded port when --port names it, with a warning', () => {
    const planned = plan(['--profile', 'llama-server', '--port', '8080', '--worker-cmd', 'llama-server -m {model} --port 8080']);
    expect(planned.warnings).toEqual(['--worker-cmd has no {port} placeholder (it hard-codes port 8080); the harness probes --port 8080, so the worker must listen there']);
  });

  it('refuses a hard-coded port with several workers even when --port is given', () => {
    expect(refusal(['--port', '8080', '--workers', '2', '--worker-cmd', 'w --port 8080']).hint).toContain('each of the 2 workers gets its own port');
  });

  it('warns when --model is given but the command has no {model}', () => {
    const planned = plan(['--model', 'x.gguf', '--worker-cmd', 'llama-server -m /models/other.gguf --port {port}']);
    expect(planned.warnings).toEqual(['--worker-cmd has no {model} placeholder: the worker does not get --model, so the "model file" check vouches for a file the worker never loads']);
    expect(plan(['--worker-cmd', 'llama-server -m /models/other.gguf --port {port}']).warnings).toEqual([]);
  });

  it('{apiKey} needs --api-key', () => {
    expect(refusal(['--worker-cmd', 'w --port {port} --api-key {apiKey}']).message).toBe('--worker-cmd uses {apiKey}, but no key was given (no $HIVECHECK_API_KEY, --api-key-file or --api-key)');
  });
});

describe('worker:test plan: paths resolve from where the user ran the command', () => {
  it('resolves a relative --worker-bin and a path-like program in --worker-cmd against cwd; bare names stay for PATH', () => {
    expect(plan(['--worker-bin', '../bin/worker']).launch).toEqual({ kind: 'bin', bin: '/home/me/project/bin/worker' });
    const cmd = plan(['--worker-cmd', './build/llama-server -m {model} --port {port}']).launch;
    expect(cmd.kind === 'cmd' && cmd.argv[0]).toBe('/home/me/project/sub/build/llama-server');
    const bare = plan(['--worker-cmd', 'llama-server -m {model} --port {port}']).launch;
    expect(bare.kind === 'cmd' && bare.argv[0]).toBe('llama-server');
    expect(plan([]).cwd).toBe('/home/me/project/sub');
  });
});

describe('worker:test plan: API keys and headers', () => {
  it('sends --api-key as a bearer token, adds --header, and lists every secret for redaction', () => {
    const planned = plan(['--api-key', 'sekrit-123', '--header', 'X-Api-Key: other-secret', '--header', 'X-Trace: on', '--worker-cmd', 'llama-server --port {port} --api-key sekrit-123 --hf-token hf_abcdef']);
    expect(planned.headers).toEqual({ authorization: 'Bearer sekrit-123', 'x-api-key': 'other-secret', 'x-trace': 'on' });
    expect(planned.secrets).toEqual(expect.arrayContaining(['sekrit-123', 'other-secret', 'hf_abcdef']));
    expect(planned.secrets).not.toContain('on');
  });

  it('a --header without a colon is a usage error that does not echo its value', () => {
    const error = refusal(['--header', 'Bearer-sekrit']);
    expect(error.kind).toBe('usage');
    expect(error.message).toContain('--header needs "Name: value"');
    expect(error.message).not.toContain('sekrit');
  });
});
