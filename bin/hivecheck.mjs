#!/usr/bin/env node
// The runner's entry (`npx hivecheck …`, and `npm run task -- …` in a checkout): starts the
// precompiled runner (dist/cli).
// - Installed (this file is inside node_modules): the build shipped in the package, never rebuilt
//   (node_modules may be read-only, and npm may not have run any install script).
// - In a checkout: rebuilt first when any of its source files is newer than the build, so edits are
//   never stale. If no build can be made (a read-only checkout), the sources run through tsx.
import { sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCli, freshBuild, packagedBuild } from './build-cli.mjs';

const installed = fileURLToPath(import.meta.url).split(sep).includes('node_modules');
let entry = installed ? packagedBuild() : freshBuild();
if (!entry && !installed) {
  try {
    entry = await buildCli();
  } catch (error) {
    process.stderr.write(`hivecheck: could not build the runner into dist/cli (${error.message}); running from source\n`);
  }
}
if (!entry) {
  const { register } = await import('tsx/esm/api');
  register();
  entry = new URL('../tasks/main.ts', import.meta.url).href;
}
await import(entry);
