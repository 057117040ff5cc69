import { execFileSync } from 'node:child_process';

/**
 * Reads the registry's `workers` table with another SQLite: Python's sqlite3 module (C SQLite,
 * not the WebAssembly build the harness writes with), proving the file is a real database.
 */
export function readWorkersWithPythonSqlite(file: string): Array<Record<string, unknown>> {
  const script = 'import json, sqlite3, sys\ncon = sqlite3.connect(sys.argv[1])\ncon.row_factory = sqlite3.Row\nprint(json.dumps([dict(r) for r in con.execute("select * from workers")]))';
  return JSON.parse(execFileSync('python3', ['-c', script, file], { encoding: 'utf8' })) as Array<Record<string, unknown>>;
}
