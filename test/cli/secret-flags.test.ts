import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFlags, type FlagSpec } from '../../tasks/lib/cli/flag-spec.ts';
import { HarnessError } from '../../tasks/lib/errors/harness-error.ts';

const specs: FlagSpec[] = [
  { name: 'api-key', type: 'string', valueName: 'key', secret: { env: 'HIVECHECK_API_KEY', file: 'api-key-file' }, description: 'key' },
  { name: 'api-key-file', type: 'string', description: 'file' },
];

function usage(run: () => unknown): HarnessError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(HarnessError);
    expect((error as HarnessError).exitCode).toBe(2);
    return error as HarnessError;
  }
  throw new Error('no usage error');
}

describe('secret flags: from the environment or a file, so npm\'s echo and ps never show them', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hivecheck-secret-'));

  it('takes the value from the environment when no flag gives it', () => {
    const flags = parseFlags([], specs, { env: { HIVECHECK_API_KEY: 'env-key-123\n' }, cwd: dir });
    expect(flags.optionalString('api-key')).toBe('env-key-123');
    expect(flags.secretSources).toEqual({ 'api-key': 'env' });
    expect(flags.secrets).toEqual(['env-key-123']);
  });

  it('reads the first line of --api-key-file, relative to where the command ran; the file wins over the environment', () => {
    writeFileSync(join(dir, 'key.txt'), 'file-key-456\nsecond line\n');
    const flags = parseFlags(['--api-key-file', 'key.txt'], specs, { env: { HIVECHECK_API_KEY: 'env-key-123' }, cwd: dir });
    expect(flags.optionalString('api-key')).toBe('file-key-456');
    expect(flags.secretSources).toEqual({ 'api-key': 'file' });
  });

  it('the flag wins over the environment, and says it came from the command line', () => {
    const flags = parseFlags(['--api-key', 'flag-key-789'], specs, { env: { HIVECHECK_API_KEY: 'env-key-123' }, cwd: dir });
    expect(flags.optionalString('api-key')).toBe('flag-key-789');
    expect(flags.secretSources).toEqual({ 'api-key': 'flag' });
  });

  it('no flag, no file, no environment: no value', () => {
    const flags = parseFlags([], specs, { env: {}, cwd: dir });
    expect(flags.has('api-key')).toBe(false);
    expect(flags.secrets).toEqual([]);
  });

  it('bad input: both forms, an unreadable file, an empty first line (exit 2, named, the value never echoed)', () => {
    expect(usage(() => parseFlags(['--api-key', 'x', '--api-key-file', 'key.txt'], specs, { env: {}, cwd: dir })).code).toBe('FLAGS_CONFLICT');
    const missing = usage(() => parseFlags(['--api-key-file', 'nope.txt'], specs, { env: {}, cwd: dir }));
    expect(missing.code).toBe('SECRET_FILE_UNREADABLE');
    expect(missing.message).toBe(`--api-key-file nope.txt: cannot read ${join(dir, 'nope.txt')} (ENOENT)`);
    writeFileSync(join(dir, 'empty.txt'), '\nfile-key-456\n');
    const empty = usage(() => parseFlags(['--api-key-file', 'empty.txt'], specs, { env: {}, cwd: dir }));
    expect(empty.code).toBe('SECRET_FILE_EMPTY');
    expect(empty.message).not.toContain('file-key-456');
  });
});
