import { describe, expect, it } from 'vitest';
import { secretsInArgv, secretsInFlagValues } from '../../tasks/lib/process/argv-secrets.ts';
import { Redactor } from '../../tasks/lib/process/redact.ts';

describe('secretsInArgv', () => {
  it('finds the values of known secret flags, inline or separate, and Authorization headers', () => {
    const argv = ['llama-server', '-m', 'x.gguf', '--api-key', 'sekrit-123', '--hf-token=hf_abcdef', '--token', 'tok-9', '-H', 'Authorization: Bearer abc.def', '--port', '8080'];
    expect(secretsInArgv(argv)).toEqual(['sekrit-123', 'hf_abcdef', 'tok-9', 'abc.def']);
  });

  it('masks them wherever the command line is printed', () => {
    const argv = ['llama-server', '--api-key', 'sekrit-123', '--port', '8080'];
    const printed = new Redactor(secretsInArgv(argv)).redact(`worker: ${argv.join(' ')} (key sekrit-123 again)`);
    expect(printed).not.toContain('sekrit-123');
    expect(printed).toContain('--port 8080');
  });

  it('finds nothing in a command without secrets', () => {
    expect(secretsInArgv(['worker', '--port', '1', '--token-limit'])).toEqual([]);
  });

  it('secretsInFlagValues: secret headers and secret flags inside a whole command given as one value', () => {
    const values = ['seed', ['X-Api-Key: plainsecret', 'Accept: text/plain', 'Authorization: Bearer bearer-val-1'], 'srv --port {port} --api-key inner-key-2', 30, true];
    expect(secretsInFlagValues(values)).toEqual(['plainsecret', 'bearer-val-1', 'inner-key-2']);
    expect(secretsInFlagValues(['--prompt', 'The capital of France is'])).toEqual([]);
  });
});

describe('placeholders in command templates', () => {
  it('are not secrets: `--hive-token {hiveToken}` names one, the harness fills it in', () => {
    expect(secretsInFlagValues(['x --port {port} --hive-token {hiveToken} --api-key {apiKey}'])).toEqual([]);
    expect(secretsInFlagValues(['x --api-key real-key-123'])).toEqual(['real-key-123']);
  });
});
