import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROGRAMS, freshBuild, packagedBuild } from '../../../bin/build-manifest.mjs';

/** A Node program of this package that runs as a process of its own (a fixture, a fleet node's step). */
export type ProgramName = keyof typeof PROGRAMS;

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
let buildDir: string | undefined | null = null;

/**
 * The runner build's folder, looked up once per process: the build shipped in an installed package,
 * or a checkout's build when it is newer than every source it was built from (a stale or missing
 * build gives undefined: the sources then run through tsx, so an edit is never run stale).
 */
function currentBuildDir(): string | undefined {
  if (buildDir === null) {
    const entry = ROOT.split(sep).includes('node_modules') ? packagedBuild(ROOT) : freshBuild(ROOT);
    buildDir = entry ? fileURLToPath(new URL('.', entry)) : undefined;
  }
  return buildDir;
}

/**
 * argv that starts one of this package's programs: `node <build>/<name>.js` from the runner's
 * build (bin/build-cli.mjs builds them beside it), else `node --import tsx <source>`. The built
 * file starts with half the CPU (a reference worker: ~1.6 s instead of ~3.2 s).
 */
export function nodeProgram(name: ProgramName): string[] {
  const dir = currentBuildDir();
  if (dir) return [process.execPath, join(dir, `${name}.js`)];
  return [process.execPath, '--import', import.meta.resolve('tsx'), programSource(name)];
}

/** The program's TypeScript source. */
export function programSource(name: ProgramName): string {
  return join(ROOT, PROGRAMS[name]);
}

/** Whether a process's command line runs the program, built or from source (to find it among processes). */
export function runsProgram(name: ProgramName, cmdline: string): boolean {
  return cmdline.includes(PROGRAMS[name]) || cmdline.includes(`/${name}.js`);
}
