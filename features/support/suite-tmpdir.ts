import { AfterAll, BeforeAll } from '@cucumber/cucumber';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The scenarios' temp files (report dirs, registries, run records, and those of the processes the
// steps start) go under one directory per Cucumber process, removed when it ends.
let root: string | undefined;
let previous: string | undefined;

BeforeAll(function () {
  root = mkdtempSync(join(tmpdir(), 'hivecheck-features-'));
  previous = process.env.TMPDIR;
  process.env.TMPDIR = root;
});

AfterAll(function () {
  if (previous === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = previous;
  if (root) rmSync(root, { recursive: true, force: true });
});
