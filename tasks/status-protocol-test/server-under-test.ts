import { Redactor } from '../lib/process/redact.ts';
import { formatDuration } from '../lib/time/format-duration.ts';
import { launchPolicyServer, type LaunchedServer, type LaunchOptions } from '../lib/status-protocol/policy-server-launcher.ts';
import { ensureServerListens } from '../lib/status-protocol/server-preflight.ts';
import { normalizeBaseUrl } from '../lib/status-protocol/session-url.ts';
import type { TaskContext } from '../runner/task-context.ts';

/** How the user chose the server under test, for either protocol. */
export interface ServerChoice {
  url: string | undefined;
  serverCmd: string | undefined;
  token: string | undefined;
  fault: string | undefined;
  openTimeoutS: number;
}

/** The part of report.json's settings that says which server was tested (the token redacted). */
export function serverSettings(choice: ServerChoice): Record<string, unknown> {
  const redactor = new Redactor(choice.token ? [choice.token] : []);
  return {
    server: choice.url ? 'url' : choice.serverCmd ? 'server-cmd' : 'reference',
    url: choice.url ?? null,
    serverCmd: choice.serverCmd ? redactor.redact(choice.serverCmd) : null,
    token: choice.token ? '[REDACTED]' : null,
    fault: choice.fault ?? null,
  };
}

/**
 * `--url`: normalised, and something must listen there (else exit 3, probing `probeUrl`);
 * otherwise `start()` launches the server (yours with --server-cmd, or the reference one).
 */
export async function reachServer<T extends { baseUrl: string }>(choice: ServerChoice, preflight: { probeUrl?: (baseUrl: string) => string; server?: string }, start: () => Promise<T>): Promise<{ baseUrl: string; started: T | undefined }> {
  if (!choice.url) {
    const started = await start();
    return { baseUrl: started.baseUrl, started };
  }
  const baseUrl = normalizeBaseUrl(choice.url);
  await ensureServerListens(baseUrl, { token: choice.token, timeoutMs: choice.openTimeoutS * 1000, flag: '--url', probeUrl: preflight.probeUrl?.(baseUrl), server: preflight.server });
  return { baseUrl, started: undefined };
}

/** Launches a server under the task's guards and says where it came up. */
export async function launchAnnounced(context: TaskContext, options: Omit<LaunchOptions, 'start' | 'tailLines'>): Promise<LaunchedServer> {
  const server = await launchPolicyServer({ ...options, start: (guardOptions) => context.start(guardOptions), tailLines: context.tailLines });
  context.out.info(`${options.name}: ${server.baseUrl} up in ${formatDuration(server.startupMs)} (pid ${server.guard.pid})`);
  return server;
}
