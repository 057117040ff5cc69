export declare const ROOT: string;
export declare const CLI_DIR: string;
export declare const MANIFEST: string;
export declare function buildCli(): Promise<string>;
export declare function freshBuild(root?: string): string | undefined;
