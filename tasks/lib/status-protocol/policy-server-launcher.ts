import { fileURLToPath } from 'node:url';
import getPort from 'get-port';
import { fillTemplate } from '../cli/command-template.ts';
import { nodeProgram } from '../process/node-program.ts';
import type { GuardOptions, ProcessGuard } from '../process/process-guard.ts';
import { waitFor } from '../wait-strategies/wait-for.ts';
import { httpReadiness } from '../wait-strategies/http-wait-strategy.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const REFERENCE_SERVER_ENTRY = fileURLToPath(new URL('../../../fixtures/policy-server/main.ts', import.meta.url));

export type ReferenceFault = 'block-event-loop' | 'buggy-periodic' | 'crash-during-load' | 'fail-load';

export interface ReferenceServerKnobs {
  loadSeconds: number;
  updateIntervalSeconds: number;
  models?: readonly string[];
  fault?: ReferenceFault | undefined;
  /** Added as `--token {token}` (the value is filled in at launch, and redacted in logs). */
  token?: boolean;
}

/** The reference policy server as a command template (`{port}`, `{token}` placeholders). */
export function referenceServerArgv(knobs: ReferenceServerKnobs): string[] {
  return [
    ...nodeProgram('policy-server'),
    '--port',
    '{port}',
    '--models',
    (knobs.models ?? ['alpha', 'beta']).join(','),
    '--load-seconds',
    String(knobs.loadSeconds),
    '--update-interval',
    String(knobs.updateIntervalSeconds),
    ...(knobs.fault ? [`--${knobs.fault}`] : []),
    ...(knobs.token ? ['--token', '{token}'] : []),
  ];
}

export interface LaunchOptions {
  /** Starts a guarded process: `context.start` in a task, `ProcessGuard.start` elsewhere. */
  start: (options: GuardOptions) => Promise<ProcessGuard>;
  /** argv template; `{port}` gets a free port from get-port, `{token}` the token. */
  argv: readonly string[];
  name: string;
  /** The flag the template came from, for error messages. */
  flag: string;
  token?: string | undefined;
  startTimeoutMs: number;
  tailLines?: number;
  /** The HTTP route that answers once the server is up (default: the policy server's `/api/v1/models`). */
  readyPath?: string;
}

export interface LaunchedServer {
  guard: ProcessGuard;
  port: number;
  /** `ws://127.0.0.1:<port>` */
  baseUrl: string;
  startupMs: number;
}

/**
 * Starts a server under a guard (its own process group, logs captured, never a shell) and waits
 * until `GET <readyPath>` answers (`/api/v1/models` for a policy server, `/jobs/<id>` for a
 * training server; 401/403 count as up: the route may need the token). Fails at once, with its
 * log tail, if the process exits first.
 */
export async function launchPolicyServer(options: LaunchOptions): Promise<LaunchedServer> {
  const started = performance.now();
  const port = await getPort({ host: '127.0.0.1' });
  const argv = fillTemplate(options.argv, { port, ...(options.token === undefined ? {} : { token: options.token }) }, options.flag);
  const [command, ...args] = argv as [string, ...string[]];
  const guard = await options.start({ name: options.name, command, args, cwd: REPO_ROOT, secrets: options.token ? [options.token] : [] });
  const readyPath = options.readyPath ?? '/api/v1/models';
  const url = `http://127.0.0.1:${port}${readyPath}`;
  await waitFor(
    httpReadiness({
      url,
      ownerAlive: () => guard.running,
      lane: `probe:${guard.name} /api/v1/models`,
      classify: (response) => (response.status === 200 || response.status === 401 || response.status === 403 ? { verdict: 'ready' } : { verdict: response.status === 503 ? 'not-ready' : 'http-error', detail: `HTTP ${response.status}` }),
    }),
    { description: `${options.name} to answer GET ${readyPath} on port ${port}`, timeoutMs: options.startTimeoutMs, failFastOn: [guard], tailLines: options.tailLines },
  );
  return { guard, port, baseUrl: `ws://127.0.0.1:${port}`, startupMs: performance.now() - started };
}
