// Builds the precompiled runner: tasks/main.ts bundled by esbuild (which comes with tsx) into
// dist/cli/<build>/, one chunk per task (each task's module is loaded only when it runs), npm
// packages left external, with the programs it starts (PROGRAMS: fixtures, fleet node step) beside it. In a checkout, bin/hivecheck.mjs calls this when a source file is newer
// than the build, so an edit never runs a stale build; `npm ci` runs it once (prepare). The package
// ships a build made by `prepack` (`--clean`: only that build), and an installed hivecheck never
// builds: its node_modules may be read-only, and npm may not run install scripts.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { freshBuild, packagedBuild, PROGRAMS } from './build-manifest.mjs';

export { freshBuild, packagedBuild, PROGRAMS };

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const CLI_DIR = join(ROOT, 'dist', 'cli');
export const MANIFEST = join(CLI_DIR, 'manifest.json');
const OLD_BUILD_MS = 60 * 60 * 1000;


/**
 * Source files keep meaning `import.meta.url` as their own location (paths to fixtures are
 * resolved from it), so each occurrence becomes that file's URL, computed relative to the chunk.
 */
export function ownUrlPlugin(outdir) {
  return {
    name: 'own-import-meta-url',
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, (args) => {
        // Only packages (node_modules below the root) keep their own import.meta.url; the root itself
        // may sit in a node_modules folder (an installed hivecheck), so the test is relative to it.
        if (relative(ROOT, args.path).split(sep).includes('node_modules')) return undefined;
        const source = readFileSync(args.path, 'utf8');
        if (!source.includes('import.meta.url')) return { contents: source, loader: 'ts' };
        const own = `new URL(${JSON.stringify(relative(outdir, args.path).split('\\').join('/'))}, import.meta.url).href`;
        return { contents: source.replaceAll('import.meta.url', own), loader: 'ts' };
      });
    },
  };
}

/** Builds into a fresh folder, then points the manifest at it (atomic rename), so parallel runs never see half a build. */
export async function buildCli() {
  const startedAtMs = Date.now();
  mkdirSync(CLI_DIR, { recursive: true });
  const { build } = await import('esbuild');
  const name = `b-${startedAtMs}-${process.pid}`;
  const outdir = join(CLI_DIR, name);
  const result = await build({
    entryPoints: { main: join(ROOT, 'tasks', 'main.ts'), ...Object.fromEntries(Object.entries(PROGRAMS).map(([name, source]) => [name, join(ROOT, source)])) },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    metafile: true,
    logLevel: 'error',
    sourcemap: 'linked',
    sourcesContent: false,
    chunkNames: '[name]-[hash]', // beside main.js: the import.meta.url rewrite is relative to this folder
    plugins: [ownUrlPlugin(outdir)],
  });
  const inputs = Object.keys(result.metafile.inputs).map((input) => relative(ROOT, resolve(input)));
  inputs.push(relative(ROOT, fileURLToPath(import.meta.url)));
  const manifest = { build: name, startedAtMs, inputs };
  const temporary = `${MANIFEST}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(manifest, null, 1)}\n`);
  renameSync(temporary, MANIFEST);
  for (const entry of readdirSync(CLI_DIR)) {
    if (!entry.startsWith('b-') || entry === name) continue;
    const dir = join(CLI_DIR, entry);
    try {
      if (Date.now() - statSync(dir).mtimeMs > OLD_BUILD_MS) rmSync(dir, { recursive: true, force: true });
    } catch {
      // another run cleaned it up
    }
  }
  return pathToFileURL(join(outdir, 'main.js')).href;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // --clean: only the new build is left (prepack: the package ships one build);
  // --if-stale: nothing to do when the build is newer than every source (prepare, after prepack).
  const current = process.argv.includes('--if-stale') ? freshBuild() : undefined;
  if (current) {
    console.log(`hivecheck: runner up to date (${relative(ROOT, fileURLToPath(current))})`);
  } else {
    if (process.argv.includes('--clean')) rmSync(CLI_DIR, { recursive: true, force: true });
    const entry = await buildCli();
    console.log(`hivecheck: runner built (${relative(ROOT, fileURLToPath(entry))})`);
  }
}
