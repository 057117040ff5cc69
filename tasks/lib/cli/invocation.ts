import { sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The root of the hivecheck package (a checkout of the repository, or node_modules/hivecheck). */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * True when hivecheck runs as an installed package (`npm install -D hivecheck`, then `npx
 * hivecheck …`): the code sits in a node_modules folder and is never written to. False in a
 * checkout of the repository, where `npm run task -- …` is the entry.
 */
export function isInstalledPackage(root: string = PACKAGE_ROOT): boolean {
  return root.split(sep).includes('node_modules');
}

/** How the user runs a task where they stand: `npx hivecheck <rest>`, or `npm run task -- <rest>` in a checkout. */
export function cliCommand(rest: string, installed: boolean = isInstalledPackage()): string {
  return installed ? `npx hivecheck ${rest}` : `npm run task -- ${rest}`;
}

/** Rewrites a documented `npm run task -- …` line for where the user stands. */
export function forUser(line: string, installed: boolean = isInstalledPackage()): string {
  return installed ? line.replace(/npm run task -- /g, 'npx hivecheck ') : line;
}
