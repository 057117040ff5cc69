import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { isLoopback } from '../../mock-hive/mock-hive-server.ts';
import type { Flags } from '../lib/cli/flag-spec.ts';
import { usageError } from '../lib/errors/harness-error.ts';

/** Where the worker is when the harness does not start it, and how its hive is published. */
export interface RemoteOptions {
  /** `--url`: a running worker (no trailing slash); undefined: the harness starts the worker. */
  url: string | undefined;
  /** `--hive-bind`: the address the mock hive listens on; undefined: 127.0.0.1, no token. */
  hiveBind: string | undefined;
  /** The run's hive token (with --hive-bind only): printed once, masked everywhere else. */
  hiveToken: string | undefined;
}

/** Flags (without defaults) that say how to start a worker: meaningless for one the harness does not start. */
const LAUNCH_FLAGS = ['worker-bin', 'worker-cmd', 'port', 'model'] as const;

/** The launch flags given: those without defaults, repeated --worker-arg, and more than one worker or backend. */
function launchFlagsGiven(flags: Flags): string[] {
  return [
    ...LAUNCH_FLAGS.filter((name) => flags.has(name)),
    ...(flags.list('worker-arg').length ? ['worker-arg'] : []),
    ...(flags.number('workers') > 1 ? ['workers'] : []),
    ...(flags.list('backend').length > 1 ? ['backend'] : []),
  ];
}

/**
 * A fresh per-run token: 32 random bytes in hex. Not base64url: one token in 64 would start with
 * '-', and a worker's argument parser then reads `--hive-token -…` as a missing value (the
 * reference worker exited 2 on one such token).
 */
export function newHiveToken(): string {
  return randomBytes(32).toString('hex');
}

function workerUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw usageError(`--url must be a URL like http://127.0.0.1:18081, got '${raw}'`, undefined, 'BAD_FLAG_VALUE');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw usageError(`--url must be an http(s) URL, got '${raw}'`, undefined, 'BAD_FLAG_VALUE');
  if (url.pathname !== '/' || url.search) throw usageError(`--url is the worker's base URL (scheme, host, port), got '${raw}'`, 'the profile says which routes to probe: pass e.g. http://10.0.0.5:18081', 'BAD_FLAG_VALUE');
  return `${url.protocol}//${url.host}`;
}

/**
 * `--url` and `--hive-bind`, checked: `--url` excludes every flag that says how to start a worker,
 * and `--hive-bind` takes an IP address (or localhost). A hive on a non-loopback address is
 * reachable by others: the harness says so, and (like any --hive-bind hive) it accepts only
 * requests carrying this run's token.
 */
export function planRemote(flags: Flags): RemoteOptions & { warnings: string[] } {
  const raw = flags.optionalString('url');
  const url = raw === undefined ? undefined : workerUrl(raw);
  if (url !== undefined) {
    const given = launchFlagsGiven(flags);
    if (given.length) throw usageError(`--url tests a worker the harness does not start, so ${given.map((name) => `--${name}`).join(', ')} ${given.length === 1 ? 'has' : 'have'} nothing to act on`, 'drop them, or drop --url to let the harness start the worker', 'FLAGS_CONFLICT');
  }
  const hiveBind = flags.optionalString('hive-bind');
  const warnings: string[] = [];
  if (hiveBind !== undefined) {
    if (hiveBind !== 'localhost' && isIP(hiveBind) === 0) throw usageError(`--hive-bind takes an IP address to listen on (e.g. 127.0.0.1, 10.0.0.5, 0.0.0.0), got '${hiveBind}'`, undefined, 'BAD_FLAG_VALUE');
    if (!isLoopback(hiveBind)) warnings.push(`the mock hive listens on ${hiveBind}, beyond loopback: other machines can reach it; it accepts only requests that carry this run's token`);
  }
  return { url, hiveBind, hiveToken: hiveBind === undefined ? undefined : newHiveToken(), warnings };
}
