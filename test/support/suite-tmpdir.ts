import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Vitest global setup: the whole run's temp files (report dirs, run records, fixtures' work dirs,
 * and those of every harness process a test starts) go under one directory, removed at the end.
 * TMPDIR is set before the test workers fork, so they and their children inherit it.
 */
export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'hivecheck-suite-'));
  const previous = process.env.TMPDIR;
  process.env.TMPDIR = root;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    rmSync(root, { recursive: true, force: true });
  };
}
