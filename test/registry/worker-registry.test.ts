import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WorkerRegistry } from '../../tasks/lib/registry/worker-registry.ts';
import { readWorkersWithPythonSqlite } from '../helpers/python-sqlite.ts';

const tempDir = (): string => mkdtempSync(join(tmpdir(), 'hivecheck-registry-'));
const row = { workerId: 'worker-1', url: 'http://127.0.0.1:18081', model: 'hf:tiny.gguf', backend: 'cpu', device: 0, state: 'Loading', node: 'localhost' };


describe('WorkerRegistry on a SQLite file', () => {
  it('creates the database and its directories from a bare path, and keeps rows across opens', () => {
    const file = join(tempDir(), 'nested', 'dir', 'workers.db');
    {
      using registry = WorkerRegistry.open(file);
      expect(registry.connection.connectionString).toBe(`sqlite://${file}?mode=rwc`);
      registry.upsert(row);
      registry.setState('worker-1', 'Ready');
    }
    expect(existsSync(file)).toBe(true);
    using again = WorkerRegistry.open(`sqlite://${file}`);
    expect(again.get('worker-1')).toMatchObject({ ...row, state: 'Ready' });
    expect(again.list()).toHaveLength(1);
  });

  it('writes a real database file that an independent SQLite opens and reads', () => {
    const file = join(tempDir(), 'workers.db');
    {
      using registry = WorkerRegistry.open(file);
      registry.upsert(row);
      registry.upsert({ ...row, workerId: 'worker-2', url: 'http://127.0.0.1:18082', backend: 'cuda', device: 1 });
    }
    const rows = readWorkersWithPythonSqlite(file) as Array<Record<string, unknown>>;
    expect(rows.map((r) => [r.worker_id, r.url, r.model, r.backend, r.device, r.state])).toEqual([
      ['worker-1', 'http://127.0.0.1:18081', 'hf:tiny.gguf', 'cpu', 0, 'Loading'],
      ['worker-2', 'http://127.0.0.1:18082', 'hf:tiny.gguf', 'cuda', 1, 'Loading'],
    ]);
  });

  it('sees rows another SQLite wrote into the same file', () => {
    const file = join(tempDir(), 'workers.db');
    WorkerRegistry.open(file).close();
    execFileSync('python3', ['-c', "import sqlite3, sys\ncon = sqlite3.connect(sys.argv[1])\ncon.execute(\"insert into workers values ('py-1', 'http://127.0.0.1:1', 'm', 'cpu', 0, 'Ready', 'localhost', 'now', 'now')\")\ncon.commit()", file]);
    using registry = WorkerRegistry.open(file);
    expect(registry.get('py-1')).toMatchObject({ url: 'http://127.0.0.1:1', state: 'Ready' });
  });

  it('without ?mode=rwc a missing database is a named environment error with the fix (the seed bug)', () => {
    const file = join(tempDir(), 'missing.db');
    expect(() => WorkerRegistry.open(`sqlite://${file}`)).toThrow(expect.objectContaining({ code: 'REGISTRY_NOT_FOUND', kind: 'environment', hint: expect.stringContaining('?mode=rwc') }));
    expect(existsSync(file)).toBe(false);
  });

  it('a file that is not a SQLite database is REGISTRY_INVALID or REGISTRY_OPEN_FAILED, not a crash', () => {
    const file = join(tempDir(), 'garbage.db');
    writeFileSync(file, 'this is not a database, it is text that is long enough to have a header');
    expect(() => WorkerRegistry.open(file)).toThrow(expect.objectContaining({ code: expect.stringMatching(/^REGISTRY_(INVALID|OPEN_FAILED)$/), kind: 'environment' }));
  });

  it('opens :memory: (nothing on disk)', () => {
    using registry = WorkerRegistry.open(':memory:');
    registry.upsert(row);
    expect(registry.list()).toHaveLength(1);
    expect(registry.sqliteVersion()).toMatch(/^3\.\d+/);
  });
});

describe('WorkerRegistry with concurrent keepers', () => {
  it('two processes writing the same file at once both succeed (lock retry), and every row is there', async () => {
    const file = join(tempDir(), 'workers.db');
    WorkerRegistry.open(file).close();
    const script = `import { WorkerRegistry } from ${JSON.stringify(new URL('../../tasks/lib/registry/worker-registry.ts', import.meta.url).href)};
const [file, prefix] = process.argv.slice(-2);
const registry = WorkerRegistry.open(file);
for (let i = 0; i < 15; i += 1) registry.upsert({ workerId: prefix + i, url: 'http://127.0.0.1:' + (1000 + i), model: 'm', backend: 'cpu', device: 0, state: 'Ready', node: 'localhost' });
registry.close();`;
    const { execFile } = await import('node:child_process');
    const run = (prefix: string): Promise<void> =>
      new Promise((resolve, reject) => execFile(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, file, prefix], (error, _out, stderr) => (error ? reject(new Error(stderr)) : resolve())));
    await Promise.all([run('a-'), run('b-')]);
    expect(readWorkersWithPythonSqlite(file)).toHaveLength(30);
  }, 60_000);
});
