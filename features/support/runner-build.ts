import { sep } from 'node:path';
import { BeforeAll } from '@cucumber/cucumber';
import { buildCli, freshBuild, ROOT } from '../../bin/build-cli.mjs';

// In a checkout, the runner's build (dist/cli: the CLI and the fixtures it starts) is made before
// the first scenario when a source is newer than it, so scenarios start built fixtures rather than
// their sources through tsx (tasks/lib/process/node-program.ts). An installed hivecheck (the
// `features` task in a user's project) uses the build it ships and never builds.
BeforeAll({ timeout: 60_000 }, async function () {
  if (!ROOT.split(sep).includes('node_modules') && !freshBuild()) await buildCli();
});
