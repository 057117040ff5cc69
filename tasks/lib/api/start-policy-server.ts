import { ProcessGuard } from '../process/process-guard.ts';
import { parseCommandTemplate } from '../cli/command-template.ts';
import { launchPolicyServer, referenceServerArgv, type LaunchedServer } from '../status-protocol/policy-server-launcher.ts';

export interface StartPolicyServerOptions {
  /** Your server's command line with `{port}` (and `{token}`), as `status-protocol:test --server-cmd` takes it. Default: the reference policy server. */
  command?: string;
  /** The reference server's model load time (default 1 s). */
  loadSeconds?: number;
  token?: string;
  /** How long to wait for `GET /api/v1/models` (default 30 s); fails at once if the server exits. */
  timeoutMs?: number;
}

/** A policy server under a guard, answering; `baseUrl` is `ws://127.0.0.1:<port>`. `await using` stops its process group. */
export async function startPolicyServer(options: StartPolicyServerOptions = {}): Promise<LaunchedServer & AsyncDisposable> {
  const argv = options.command === undefined ? referenceServerArgv({ loadSeconds: options.loadSeconds ?? 1, updateIntervalSeconds: 0.2, token: options.token !== undefined }) : parseCommandTemplate(options.command, 'command');
  const server = await launchPolicyServer({ start: (guard) => ProcessGuard.start(guard), argv, name: 'policy-server', flag: 'command', token: options.token, startTimeoutMs: options.timeoutMs ?? 30_000 });
  return Object.assign(server, { [Symbol.asyncDispose]: async () => void (await server.guard.stop()) });
}
