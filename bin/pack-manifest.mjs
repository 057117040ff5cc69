// The packed package.json carries no install-time script: `prepare` (a checkout's `npm ci` builds
// the runner and installs the engine with it) is taken out for `npm pack` and put back after, so
// npm never lists hivecheck among packages whose scripts wait for approval. The packed runner is
// prebuilt (prepack), and the engine is installed where the user stands (npx hivecheck engine:install).
//
//   node bin/pack-manifest.mjs strip     (prepack)      node bin/pack-manifest.mjs restore   (postpack)
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './build-cli.mjs';

const manifest = join(ROOT, 'package.json');
const backup = join(ROOT, 'dist', 'package.json.before-pack');
const action = process.argv[2];

if (action === 'strip' || action === 'restore') {
  // A pack that failed half-way left the backup: the original is put back before anything else.
  if (existsSync(backup)) renameSync(backup, manifest);
}
if (action === 'strip') {
  const text = readFileSync(manifest, 'utf8');
  const parsed = JSON.parse(text);
  delete parsed.scripts.prepare;
  writeFileSync(backup, text);
  writeFileSync(manifest, `${JSON.stringify(parsed, null, 2)}\n`);
} else if (action !== 'restore') {
  console.error('usage: node bin/pack-manifest.mjs strip|restore');
  process.exit(2);
}
