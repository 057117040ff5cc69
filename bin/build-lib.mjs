// Builds hivecheck's library entry (`import { MockHive, startWorker, runTask } from 'hivecheck'`):
// tasks/lib/api/index.ts bundled by esbuild into dist/lib/index.js (npm packages left external, each
// file's import.meta.url kept as its own location), and its declarations by tsc into dist/types,
// with relative `.ts` specifiers turned into `.js`. `prepack` runs it; a checkout's tests import the sources.
// tsconfig.lib.json sets noCheck: tsc only emits (the same .d.ts files, 4 s of CPU less per pack);
// type errors are `npm run typecheck`'s to find (CI runs it on every change).
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ownUrlPlugin, ROOT } from './build-cli.mjs';

const outdir = join(ROOT, 'dist', 'lib');
rmSync(outdir, { recursive: true, force: true });
rmSync(join(ROOT, 'dist', 'types'), { recursive: true, force: true });
const { build } = await import('esbuild');
await build({
  entryPoints: { index: join(ROOT, 'tasks', 'lib', 'api', 'index.ts') },
  outdir,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  logLevel: 'error',
  plugins: [ownUrlPlugin(outdir)],
});

const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.lib.json')], { stdio: 'inherit' });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

function rewrite(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) rewrite(path);
    else if (entry.name.endsWith('.d.ts')) writeFileSync(path, readFileSync(path, 'utf8').replace(/((?:from|import\()\s*['"])(\.{1,2}\/[^'"]+)\.ts(['"])/g, '$1$2.js$3'));
  }
}
rewrite(join(ROOT, 'dist', 'types'));
console.log('hivecheck: library built (dist/lib/index.js, dist/types)');
