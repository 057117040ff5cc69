import { HarnessError } from '../errors/harness-error.ts';
import { tryHttp } from '../http/http-client.ts';
import { modelsUrl } from './session-url.ts';

const REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host name not found',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EADDRNOTAVAIL: 'address not available',
};

/**
 * Before any check runs against `--url`: is anything listening there? A refused connection is an
 * environment error (exit 3, one line), not a server that fails its checks. Any answer, even an
 * HTTP error, and a timeout (a server may be busy) let the checks run and judge.
 */
export async function ensureServerListens(baseUrl: string, options: { token?: string | undefined; timeoutMs: number; flag: string; probeUrl?: string; server?: string }): Promise<void> {
  const url = options.probeUrl ?? modelsUrl(baseUrl);
  const outcome = await tryHttp(url, { headers: options.token ? { authorization: `Bearer ${options.token}` } : {}, timeoutMs: options.timeoutMs });
  if (outcome.ok || outcome.failure.kind !== 'refused') return;
  const { host } = new URL(url);
  const code = outcome.failure.code;
  const what = code === 'ECONNREFUSED' ? `nothing listens at ${host}` : `cannot reach ${host}`;
  const why = code ? `${REASONS[code] ?? 'connection failed'} (${code})` : outcome.failure.message;
  throw new HarnessError('SERVER_UNREACHABLE', `${what} (${options.flag} ${baseUrl}): ${why}`, {
    kind: 'environment',
    evidence: { url, failure: outcome.failure },
    hint: `start the ${options.server ?? 'policy server'} there first, or point ${options.flag} at the host and port it listens on`,
  });
}
