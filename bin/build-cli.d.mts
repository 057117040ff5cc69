export declare const ROOT: string;
export declare const CLI_DIR: string;
export declare const MANIFEST: string;
export declare function buildCli(): Promise<string>;
export { freshBuild, packagedBuild, PROGRAMS } from './build-manifest.mjs';
