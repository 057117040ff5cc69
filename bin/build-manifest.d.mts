export declare const PROGRAMS: Readonly<Record<'reference-worker' | 'policy-server' | 'training-server' | 'trainer' | 'ws-bot' | 'ws-service' | 'fleet-node-step', string>>;
export declare function freshBuild(root?: string): string | undefined;
export declare function packagedBuild(root?: string): string | undefined;
