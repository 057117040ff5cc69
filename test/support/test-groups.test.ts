import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoPath } from '../helpers/fixture-path.ts';
import { NODE_SENSITIVE_EXEMPT, NODE_SENSITIVE_TESTS, QUICK_TESTS } from './test-groups.ts';

const ROOT = repoPath('');

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'fixtures' ? [] : testFiles(path);
    return entry.name.endsWith('.test.ts') ? [relative(ROOT, path)] : [];
  });
}

/** The globs these lists use: `**​/` (any folders), `*` (within a name), literal otherwise. */
function globRegExp(glob: string): RegExp {
  const source = glob
    .split(/(\*\*\/|\*)/)
    .map((part) => (part === '**/' ? '(?:[^/]+/)*' : part === '*' ? '[^/]*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`);
}

const FILES = testFiles(repoPath('test'));
const matching = (glob: string): string[] => FILES.filter((file) => globRegExp(glob).test(file));
const inAny = (file: string, globs: readonly string[]): boolean => globs.some((glob) => globRegExp(glob).test(file));

describe('the test groups (test/support/test-groups.ts)', () => {
  it('name only globs that match test files (a renamed or moved test is noticed here)', () => {
    const globs = [...QUICK_TESTS, ...NODE_SENSITIVE_TESTS.map((group) => group.glob), ...NODE_SENSITIVE_EXEMPT.map((group) => group.glob)];
    expect(FILES.length).toBeGreaterThan(50);
    expect(globs.filter((glob) => matching(glob).length === 0)).toEqual([]);
  });

  it('put on Node 24 every test that signals a process or opens the SQLite registry, unless exempt with a reason', () => {
    const sensitive = [...NODE_SENSITIVE_TESTS, ...NODE_SENSITIVE_EXEMPT].map((group) => group.glob);
    const touches = (file: string): boolean => /process\.kill\(|\.kill\(\s*['"]SIG|['"][\w-]+-SIG(?:INT|TERM|KILL|STOP)['"]|node-sqlite3-wasm|lib\/registry\//.test(readFileSync(join(ROOT, file), 'utf8'));
    const missing = FILES.filter((file) => touches(file) && !inAny(file, sensitive) && !inAny(file, QUICK_TESTS));
    expect(missing).toEqual([]);
    expect(NODE_SENSITIVE_TESTS.every((group) => group.why.length > 10) && NODE_SENSITIVE_EXEMPT.every((group) => group.why.length > 10)).toBe(true);
  });

  it('refuse a child process in the quick project (this file runs there)', () => {
    expect(() => spawn(process.execPath, ['-e', ''])).toThrow(/quick test .*test-groups\.test\.ts.*QUICK_TESTS/);
  });
});
