import { buildCli, freshBuild } from '../../bin/build-cli.mjs';
import { ensureTinyModel } from '../../fixtures/tiny-model/write-tiny-llama.ts';

/**
 * Vitest global setup: what many test files need and none should build for itself, made once
 * before the workers start, so two files never generate the same thing at once:
 * the tiny llama models (ASCII and UTF-8 vocabularies) in .hivecheck/models, and the runner's build
 * (dist/cli: the CLI and the programs it starts, bin/build-cli.mjs) when a source is newer than it,
 * so every test starts built fixtures (tasks/lib/process/node-program.ts), not their sources
 * through tsx, and no CLI run rebuilds it on its own.
 * Every vitest project runs global setups; ensureTinyModel only checks the files after the first.
 */
export default async function setup(): Promise<void> {
  if (!freshBuild()) await buildCli();
  await ensureTinyModel(undefined, 'ascii');
  await ensureTinyModel(undefined, 'utf8');
}
