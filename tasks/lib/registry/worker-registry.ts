import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Database as SqliteDatabase } from 'node-sqlite3-wasm';
import { HarnessError } from '../errors/harness-error.ts';
import { prepareParentDirectory, sqliteConnection, type SqliteConnection } from './sqlite-connection.ts';

/** One worker as the keeper records it (seed 004, phase 6). */
export interface WorkerRow {
  workerId: string;
  url: string;
  model: string;
  backend: string;
  device: number;
  state: string;
  /** The hive (pool) the worker runs on. */
  node: string;
  registeredAt: string;
  updatedAt: string;
}

const SCHEMA = `CREATE TABLE IF NOT EXISTS workers (
  worker_id TEXT PRIMARY KEY,
  url TEXT NOT NULL,
  model TEXT NOT NULL,
  backend TEXT NOT NULL,
  device INTEGER NOT NULL DEFAULT 0,
  state TEXT NOT NULL,
  node TEXT NOT NULL DEFAULT '',
  registered_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
)`;

// A CommonJS module without named ESM exports: load it through require.
const { Database } = createRequire(import.meta.url)('node-sqlite3-wasm') as typeof import('node-sqlite3-wasm');
type Database = SqliteDatabase;

/** How long a statement waits for another process's lock before giving up (REGISTRY_LOCKED). */
export const REGISTRY_BUSY_TIMEOUT_MS = 5000;
const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * node-sqlite3-wasm locks the database with a `<file>.lock` directory and answers "database is
 * locked" at once when another process holds it (SQLite's busy timeout needs a sleep its VFS lacks).
 * Statements are short, so retry with a short backoff (2 → 50 ms) up to `timeoutMs`.
 */
function withLockRetry<T>(file: string, body: () => T, timeoutMs = REGISTRY_BUSY_TIMEOUT_MS): T {
  const deadline = performance.now() + timeoutMs;
  let delay = 2;
  for (;;) {
    try {
      return body();
    } catch (error) {
      if (!/database is locked|SQLITE_BUSY/i.test((error as Error).message)) throw error;
      if (performance.now() >= deadline) {
        throw new HarnessError('REGISTRY_LOCKED', `worker registry ${file} stayed locked by another process for ${timeoutMs} ms`, { kind: 'environment', cause: error, hint: `wait for the other keeper to finish; if none runs, remove the stale lock directory ${file}.lock` });
      }
      Atomics.wait(pause, 0, 0, delay); // a bounded lock backoff in synchronous code
      delay = Math.min(delay * 2, 50);
    }
  }
}

type Raw = Record<string, string | number | bigint | null | Uint8Array>;

const rowOf = (raw: Raw): WorkerRow => ({
  workerId: String(raw.worker_id),
  url: String(raw.url),
  model: String(raw.model),
  backend: String(raw.backend),
  device: Number(raw.device),
  state: String(raw.state),
  node: String(raw.node),
  registeredAt: String(raw.registered_at),
  updatedAt: String(raw.updated_at),
});

/**
 * The keeper's worker registry: a real SQLite database file (node-sqlite3-wasm: SQLite compiled
 * to WebAssembly, reading and writing the file in place through Node's fs, so the `sqlite3` CLI
 * or any other SQLite opens the same file). Opened from a connection string (see
 * `sqliteConnection`); every failure is a named `REGISTRY_*` error with a fix.
 */
export class WorkerRegistry implements Disposable {
  readonly connection: SqliteConnection;
  readonly #db: Database;

  private constructor(connection: SqliteConnection, db: Database) {
    this.connection = connection;
    this.#db = db;
  }

  static open(dbPath: string, cwd?: string): WorkerRegistry {
    const connection = sqliteConnection(dbPath, cwd);
    const where = connection.memory ? ':memory:' : connection.filename;
    if (!connection.memory && connection.mode !== 'rwc' && !existsSync(connection.filename)) {
      throw new HarnessError('REGISTRY_NOT_FOUND', `worker registry ${connection.connectionString}: database file ${connection.filename} does not exist and mode=${connection.mode} does not create it`, {
        kind: 'environment',
        evidence: { connection },
        hint: `append ?mode=rwc (sqlite://${connection.filename}?mode=rwc), or pass a plain path, which gets it`,
      });
    }
    try {
      prepareParentDirectory(connection);
    } catch (error) {
      throw new HarnessError('REGISTRY_OPEN_FAILED', `cannot create the directory for the worker registry ${where}: ${(error as Error).message}`, { kind: 'environment', cause: error, evidence: { connection }, hint: 'pick a --registry path in a writable directory' });
    }
    let db: Database;
    try {
      db = new Database(connection.filename, { readOnly: connection.mode === 'ro', fileMustExist: connection.mode !== 'rwc' });
    } catch (error) {
      throw new HarnessError('REGISTRY_OPEN_FAILED', `cannot open the worker registry ${where}: ${(error as Error).message}`, { kind: 'environment', cause: error, evidence: { connection }, hint: 'check the path and its permissions, or pass another --registry' });
    }
    const registry = new WorkerRegistry(connection, db);
    try {
      withLockRetry(where, () => {
        if (connection.mode !== 'ro') db.exec(SCHEMA);
        db.get('SELECT count(*) AS n FROM workers');
      });
    } catch (error) {
      db.close();
      if (error instanceof HarnessError) throw error;
      throw new HarnessError('REGISTRY_INVALID', `worker registry ${where} is not usable: ${(error as Error).message}`, { kind: 'environment', cause: error, evidence: { connection }, hint: 'the file is not a SQLite database with a workers table: move it away or pass another --registry' });
    }
    return registry;
  }

  #locked<T>(body: () => T): T {
    return withLockRetry(this.connection.memory ? ':memory:' : this.connection.filename, body);
  }

  /** SQLite's own version, from the engine that has the file open. */
  sqliteVersion(): string {
    return String(this.#locked(() => this.#db.get('SELECT sqlite_version() AS v'))?.v);
  }

  upsert(row: Omit<WorkerRow, 'registeredAt' | 'updatedAt'>): WorkerRow {
    const now = new Date().toISOString();
    this.#locked(() => this.#db.run(
      `INSERT INTO workers (worker_id, url, model, backend, device, state, node, registered_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(worker_id) DO UPDATE SET url = excluded.url, model = excluded.model, backend = excluded.backend, device = excluded.device, state = excluded.state, node = excluded.node, updated_at = excluded.updated_at`,
      [row.workerId, row.url, row.model, row.backend, row.device, row.state, row.node, now, now],
    ));
    return this.get(row.workerId) as WorkerRow;
  }

  setState(workerId: string, state: string): boolean {
    return this.#locked(() => this.#db.run('UPDATE workers SET state = ?, updated_at = ? WHERE worker_id = ?', [state, new Date().toISOString(), workerId])).changes > 0;
  }

  get(workerId: string): WorkerRow | undefined {
    const raw = this.#locked(() => this.#db.get('SELECT * FROM workers WHERE worker_id = ?', [workerId])) as Raw | null;
    return raw ? rowOf(raw) : undefined;
  }

  list(): WorkerRow[] {
    return (this.#locked(() => this.#db.all('SELECT * FROM workers ORDER BY registered_at, worker_id')) as Raw[]).map(rowOf);
  }

  remove(workerId: string): boolean {
    return this.#locked(() => this.#db.run('DELETE FROM workers WHERE worker_id = ?', [workerId])).changes > 0;
  }

  get isOpen(): boolean {
    return this.#db.isOpen;
  }

  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
