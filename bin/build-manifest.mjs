// Reads the runner's build (dist/cli/manifest.json, written by bin/build-cli.mjs): which build is
// current, and whether it is newer than every source it was made from. No side effects, so the
// harness can import it (tasks/lib/process/node-program.ts) without pulling in the build script.
import { readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The Node programs of this package that run as processes of their own (the fixtures, a fleet
 * node's step), built beside the runner as `<build>/<name>.js`: started with plain `node`, a
 * reference worker costs half the CPU it does through tsx (tsx's loader also hooks every module of
 * node-llama-cpp, and the engine's binary check forks a second Node with the same loader).
 * tasks/lib/process/node-program.ts picks the built file, or the source through tsx.
 */
export const PROGRAMS = {
  'reference-worker': 'fixtures/reference-worker/src/main.ts',
  'policy-server': 'fixtures/policy-server/main.ts',
  'training-server': 'fixtures/training-server/main.ts',
  trainer: 'fixtures/training-server/trainer.ts',
  'ws-bot': 'fixtures/ws-bot/main.ts',
  'ws-service': 'fixtures/ws-service/main.ts',
  'fleet-node-step': 'tasks/fleet/node-step.ts',
};

/** The current build's entry, or undefined when there is none or a source file is newer than it. */
export function freshBuild(root = ROOT) {
  const cliDir = join(root, 'dist', 'cli');
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(join(cliDir, 'manifest.json'), 'utf8'));
  } catch {
    return undefined;
  }
  for (const input of manifest.inputs) {
    try {
      if (statSync(join(root, input)).mtimeMs >= manifest.startedAtMs) return undefined;
    } catch {
      return undefined;
    }
  }
  return pathToFileURL(join(cliDir, manifest.build, 'main.js')).href;
}

/** The build the manifest names, whatever the sources' times (an installed package never rebuilds). */
export function packagedBuild(root = ROOT) {
  const cliDir = join(root, 'dist', 'cli');
  try {
    const manifest = JSON.parse(readFileSync(join(cliDir, 'manifest.json'), 'utf8'));
    const entry = join(cliDir, manifest.build, 'main.js');
    statSync(entry);
    return pathToFileURL(entry).href;
  } catch {
    return undefined;
  }
}
