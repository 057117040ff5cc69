import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prepareParentDirectory, sqliteConnection } from '../../tasks/lib/registry/sqlite-connection.ts';

describe('sqliteConnection: the registry connection string rules', () => {
  it('gives a bare path the sqlite:// prefix and ?mode=rwc (the seed bug: a bare path did not open)', () => {
    const connection = sqliteConnection('/var/lib/keeper/workers.db');
    expect(connection.connectionString).toBe('sqlite:///var/lib/keeper/workers.db?mode=rwc');
    expect(connection).toMatchObject({ filename: '/var/lib/keeper/workers.db', mode: 'rwc', memory: false });
  });

  it('resolves a relative path from the directory the user ran the command in', () => {
    expect(sqliteConnection('data/workers.db', '/home/me/project').connectionString).toBe('sqlite:///home/me/project/data/workers.db?mode=rwc');
  });

  it('passes :memory: and file: URIs through unchanged', () => {
    expect(sqliteConnection(':memory:')).toMatchObject({ connectionString: ':memory:', memory: true });
    expect(sqliteConnection('file:/tmp/x.db?mode=ro')).toMatchObject({ connectionString: 'file:/tmp/x.db?mode=ro', filename: '/tmp/x.db', mode: 'ro' });
    expect(sqliteConnection('file:///tmp/y.db')).toMatchObject({ connectionString: 'file:///tmp/y.db', filename: '/tmp/y.db', mode: 'rwc' });
    expect(sqliteConnection('file::memory:?cache=shared')).toMatchObject({ memory: true });
  });

  it('passes sqlite:// through with its own mode (none means the file must exist, as in SQLx)', () => {
    expect(sqliteConnection('sqlite:///tmp/z.db?mode=rwc')).toMatchObject({ connectionString: 'sqlite:///tmp/z.db?mode=rwc', filename: '/tmp/z.db', mode: 'rwc' });
    expect(sqliteConnection('sqlite:///tmp/z.db')).toMatchObject({ connectionString: 'sqlite:///tmp/z.db', mode: 'rw' });
  });

  it('refuses an unknown mode and an empty path as usage errors', () => {
    expect(() => sqliteConnection('sqlite:///tmp/z.db?mode=yolo')).toThrow(/unknown mode 'yolo'/);
    expect(() => sqliteConnection('')).toThrow(/registry path is empty/);
  });

  it('creates the parent directories of a database it may create', () => {
    const root = mkdtempSync(join(tmpdir(), 'hivecheck-conn-'));
    const connection = sqliteConnection(join(root, 'a', 'b', 'workers.db'));
    prepareParentDirectory(connection);
    expect(existsSync(join(root, 'a', 'b'))).toBe(true);
  });
});
