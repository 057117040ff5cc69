import { readFileSync, statfsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { isInstalledPackage } from '../cli/invocation.ts';
import { HarnessError } from '../errors/harness-error.ts';
import { WorkerRegistry } from '../registry/worker-registry.ts';

/** `major.minor.patch` of a version string. */
function parts(version: string): number[] {
  return version.replace(/^v/, '').split('.').map((part) => Number.parseInt(part, 10) || 0);
}

function atLeast(version: string, minimum: string): boolean {
  const [a, b] = [parts(version), parts(minimum)];
  for (let i = 0; i < 3; i += 1) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  return true;
}

/** The version Node's lookup from here finds (installed, hivecheck's dependencies sit beside it in the user's node_modules). */
const packageVersion = (name: string): string => {
  for (const dir of createRequire(import.meta.url).resolve.paths(name) ?? []) {
    try {
      // Read directly: packages with an `exports` map do not resolve `<name>/package.json`.
      return (JSON.parse(readFileSync(join(dir, name, 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      // not in this node_modules folder
    }
  }
  return 'not installed';
};

/** Node itself must satisfy package.json's `engines.node` (`>=20.18.1`); the tools the harness runs on are listed with their versions. */
export function checkToolchain(minimumNode: string): string {
  if (!atLeast(process.versions.node, minimumNode)) {
    throw new HarnessError('NODE_TOO_OLD', `Node ${process.versions.node} is older than ${minimumNode}, which the harness needs`, { kind: 'environment', hint: `install Node ${minimumNode} or newer (20 LTS, 22 or 24)` });
  }
  const missing = ['tsx', 'undici', 'get-port', 'node-sqlite3-wasm'].filter((name) => packageVersion(name) === 'not installed');
  if (missing.length) throw new HarnessError('TOOL_MISSING', `packages missing: ${missing.join(', ')}`, { kind: 'environment', hint: isInstalledPackage() ? 'run: npm install' : 'run: npm ci' });
  return `Node ${process.versions.node} (needs ${minimumNode}), tsx ${packageVersion('tsx')}, undici ${packageVersion('undici')}, node-sqlite3-wasm ${packageVersion('node-sqlite3-wasm')}`;
}

/** SQLite works here: the registry opens (created with its directories if missing) and answers a query. */
export function checkSqlite(registry: string, cwd: string): string {
  using opened = WorkerRegistry.open(registry, cwd);
  return `${opened.connection.connectionString}: SQLite ${opened.sqliteVersion()} (WebAssembly build, no native module), ${opened.list().length} worker row(s)`;
}

/** The folder that receives logs and reports has at least `minimumMb` free. */
export function checkDiskSpace(dir: string, minimumMb: number): string {
  mkdirSync(dir, { recursive: true });
  const fs = statfsSync(dir);
  const freeMb = (fs.bavail * fs.bsize) / (1 << 20);
  if (freeMb < minimumMb) {
    throw new HarnessError('DISK_FULL', `${dir} has ${freeMb.toFixed(0)} MB free, less than the ${minimumMb} MB for logs and reports`, { kind: 'environment', evidence: { dir, freeMb }, hint: 'free some space or pass --report <dir> on another disk' });
  }
  return `${dir}: ${freeMb >= 10_240 ? `${(freeMb / 1024).toFixed(1)} GB` : `${freeMb.toFixed(0)} MB`} free (needs ${minimumMb} MB)`;
}
