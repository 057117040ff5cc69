#!/usr/bin/env node
// The runner's entry (`npm run task -- …` runs this): starts the precompiled runner (dist/cli), and
// rebuilds it first when any of its source files is newer than the build, so edits are never stale.
// If no build can be made (a read-only checkout), it runs the sources through tsx instead.
import { buildCli, freshBuild } from './build-cli.mjs';

let entry = freshBuild();
if (!entry) {
  try {
    entry = await buildCli();
  } catch (error) {
    process.stderr.write(`hivecheck: could not build the runner into dist/cli (${error.message}); running from source\n`);
    const { register } = await import('tsx/esm/api');
    register();
    entry = new URL('../tasks/main.ts', import.meta.url).href;
  }
}
await import(entry);
