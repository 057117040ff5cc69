import { mkdirSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { usageError } from '../errors/harness-error.ts';

/** How SQLite opens the file: create it if missing, must exist, or read only (`?mode=rwc|rw|ro`). */
export type SqliteMode = 'rwc' | 'rw' | 'ro';

export interface SqliteConnection {
  /** The connection string as the keeper uses it: `sqlite:///abs/path.db?mode=rwc`, `:memory:`, `file:…`. */
  connectionString: string;
  /** What the driver opens: an absolute file path, or `:memory:`. */
  filename: string;
  mode: SqliteMode;
  memory: boolean;
}

const MODES: readonly string[] = ['rwc', 'rw', 'ro', 'memory'];

function modeOf(query: string, source: string): SqliteMode | 'memory' | undefined {
  const params = new URLSearchParams(query);
  const mode = params.get('mode');
  if (mode === null) return undefined;
  if (!MODES.includes(mode)) throw usageError(`registry ${source}: unknown mode '${mode}' (known: rwc, rw, ro, memory)`, 'use ?mode=rwc to create the database when it is missing');
  return mode as SqliteMode | 'memory';
}

/**
 * The worker registry's connection string rules (seed 004's fix, as the keeper applies them):
 * - `:memory:` and `file:…` URIs pass through unchanged;
 * - `sqlite://<path>[?mode=…]` passes through (its own mode; SQLx's default is "must exist");
 * - anything else is a path: it becomes `sqlite://<absolute path>?mode=rwc`, and its parent
 *   directory is created, so a first run creates the database instead of failing to open it.
 * Relative paths resolve from `cwd` (where the user ran the command).
 */
export function sqliteConnection(dbPath: string, cwd: string = process.cwd()): SqliteConnection {
  const source = `'${dbPath}'`;
  if (dbPath.trim() === '') throw usageError('the registry path is empty', 'pass --registry <path.db>');
  if (dbPath === ':memory:') return { connectionString: dbPath, filename: ':memory:', mode: 'rwc', memory: true };
  if (dbPath.startsWith('file:') || dbPath.startsWith('sqlite:')) {
    const uri = dbPath.startsWith('sqlite://') ? dbPath.slice('sqlite://'.length) : dbPath.startsWith('file:') ? dbPath.slice('file:'.length) : dbPath.slice('sqlite:'.length);
    const [rawPath = '', query = ''] = uri.split(/\?(.*)/s, 2);
    const path = decodeURIComponent(rawPath.startsWith('//') ? rawPath.slice(2) : rawPath);
    const mode = modeOf(query, source);
    if (path === ':memory:' || mode === 'memory') return { connectionString: dbPath, filename: ':memory:', mode: 'rwc', memory: true };
    if (path === '') throw usageError(`registry ${source} names no file`, 'write sqlite://<path>?mode=rwc or a plain path');
    // SQLx opens `sqlite://` read-write without creating; SQLite opens `file:` URIs read-write-create.
    return { connectionString: dbPath, filename: isAbsolute(path) ? path : resolve(cwd, path), mode: mode ?? (dbPath.startsWith('file:') ? 'rwc' : 'rw'), memory: false };
  }
  const filename = resolve(cwd, dbPath);
  return { connectionString: `sqlite://${filename}?mode=rwc`, filename, mode: 'rwc', memory: false };
}

/** Creates the parent directory of a database that may be created (`mode=rwc`). */
export function prepareParentDirectory(connection: SqliteConnection): void {
  if (!connection.memory && connection.mode === 'rwc') mkdirSync(dirname(connection.filename), { recursive: true });
}
