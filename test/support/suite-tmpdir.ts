import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Vitest global setup: the whole run's temp files (report dirs, run records, fixtures' work dirs,
 * and those of every harness process a test starts) go under one directory, removed at the end.
 * TMPDIR is set before the test workers fork, so they and their children inherit it.
 * Each vitest project runs its global setup: the first one makes the directory, the others find
 * it (HIVECHECK_SUITE_TMPDIR) and reuse it, so paths do not nest (Chromium's socket path under
 * TMPDIR must stay short).
 */
export default function setup(): () => void {
  if (process.env.HIVECHECK_SUITE_TMPDIR) return () => undefined;
  const root = mkdtempSync(join(tmpdir(), 'hivecheck-suite-'));
  const previous = process.env.TMPDIR;
  process.env.TMPDIR = root;
  process.env.HIVECHECK_SUITE_TMPDIR = root;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    delete process.env.HIVECHECK_SUITE_TMPDIR;
    rmSync(root, { recursive: true, force: true });
  };
}
