import type { WorkerProfile } from '../worker/worker-profile.ts';

/** What the keeper needs to run the flow against one hive (read from the e2e task's flags). */
export interface KeeperPlan {
  /** Node the hive runs on: `localhost`/`127.0.0.1` as is, other names get `.home.arpa`. */
  node: string;
  hivePort: number;
  /** Where the hive is reached when not by the seed's rule (`--hive-url`, `--resolve`, a simulated node's address). */
  hiveUrl?: string;
  /** The hive's token (`--hive-token-file`), for hives that take only requests carrying it. */
  hiveToken?: string;
  /** How the node was reached, for the pool preflight's detail: `node 'a' → a.home.arpa, reached at 127.0.0.2 (--resolve)`. */
  reachedAs?: string;
  /** Registry path or connection string (`sqlite://…?mode=rwc`, `:memory:`, `file:…`). */
  registry: string;
  /** Where relative paths resolve from (the user's directory). */
  cwd: string;
  workerId: string;
  modelPath: string;
  modelRef: string;
  backend: string;
  device: number;
  /** Routes and judges of the worker's API. */
  profile: WorkerProfile;
  /** Sent in the spawn request: which worker the hive should start. */
  spawnProfile?: string;
  spawnCommand?: string[];
  healthTimeoutMs: number;
  registerTimeoutMs: number;
  readyTimeoutMs: number;
  /** Consecutive connection/HTTP errors that end a wait (seed: 10). */
  failAfterErrors: number;
  /** Pause after each error, so 10 errors span ~10 × this (seed: 2 s, ~20 s). */
  errorIntervalMs: number;
  prompt: string;
  maxTokens: number;
  temperature: number;
  inferenceTimeoutMs: number;
}
