import { isIP } from 'node:net';
import { isLoopback } from '../../mock-hive/mock-hive-server.ts';
import type { Flags } from '../lib/cli/flag-spec.ts';
import { usageError } from '../lib/errors/harness-error.ts';
import { isLocalNode, nodeHost } from '../lib/e2e/pool-url.ts';
import type { HiveMode } from './e2e-plan.ts';

/** One node of a run over several: where its hive is (a URL), or where the harness starts one (a loopback address). */
export interface NodeTarget {
  node: string;
  /** A running hive (--hive-url, or --external-hive with --nodes). */
  hiveUrl?: string;
  /** A built-in hive the harness starts for this node on this address (simulated node). */
  bind?: string;
  /** How the node is reached, in words for the report: `node 'a' → a.home.arpa, reached at 127.0.0.2 (--resolve)`. */
  reachedAs: string;
}

const NODE_NAME = /^[A-Za-z0-9][A-Za-z0-9.-]{0,62}$/;

/** `name=value` pairs of a repeatable flag. */
function pairs(values: readonly string[], flag: string, what: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const value of values) {
    const at = value.indexOf('=');
    if (at < 1) throw usageError(`--${flag} takes <node>=<${what}>, got '${value}'`, `e.g. --${flag} gpu-1=127.0.0.2`, 'BAD_FLAG_VALUE');
    map.set(value.slice(0, at), value.slice(at + 1));
  }
  return map;
}

function hiveUrlTarget(raw: string, index: number): NodeTarget {
  const at = raw.indexOf('=');
  const named = at > 0 && !raw.slice(0, at).includes('/');
  const text = named ? raw.slice(at + 1) : raw;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw usageError(`--hive-url takes [<node>=]http://host:port, got '${raw}'`, undefined, 'BAD_FLAG_VALUE');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw usageError(`--hive-url must be http(s), got '${raw}'`, undefined, 'BAD_FLAG_VALUE');
  const node = named ? raw.slice(0, at) : url.port ? `${url.hostname}:${url.port}` : url.hostname || `node-${index + 1}`;
  const hiveUrl = `${url.protocol}//${url.host}`;
  return { node, hiveUrl, reachedAs: `node '${node}' at ${hiveUrl} (--hive-url)` };
}

/**
 * The nodes of an e2e run over several hives, or undefined for the classic single-node run:
 * `--hive-url` (repeated) names running hives; `--nodes a,b,c` applies the seed's rule (`a` →
 * `http://a.home.arpa:<hive-port>`, localhost/127.0.0.1 as is) to running hives with
 * --external-hive, and otherwise starts a built-in hive per node on its own loopback address
 * (127.0.0.2, .3, … unless `--resolve a=<address>` names one). `--resolve` also reaches a real
 * node's hive at an address instead of through DNS.
 */
export function planNodeTargets(flags: Flags, hive: HiveMode): NodeTarget[] | undefined {
  const urls = flags.list('hive-url');
  const nodes = flags.list('nodes');
  const resolve = pairs(flags.list('resolve'), 'resolve', 'address');
  if (urls.length === 0 && nodes.length === 0) {
    if (resolve.size) throw usageError('--resolve names addresses of --nodes; pass --nodes too', undefined, 'FLAGS_CONFLICT');
    return undefined;
  }
  if (urls.length && nodes.length) throw usageError('--hive-url and --nodes both name the nodes; pass one', 'each --hive-url may name its node: --hive-url gpu-1=http://10.0.0.5:8080', 'FLAGS_CONFLICT');
  if (flags.string('node') !== 'localhost') throw usageError(`--node names one node; with ${urls.length ? '--hive-url' : '--nodes'} the nodes are named there`, undefined, 'FLAGS_CONFLICT');
  if (hive.kind === 'cmd') throw usageError('--hive-cmd starts one hive; it cannot be combined with several nodes', 'start the hives yourself and pass --hive-url for each, or let the harness start built-in ones (--nodes)', 'FLAGS_CONFLICT');
  if (flags.has('keeper-cmd')) throw usageError('--keeper-cmd runs against one hive; several nodes are run by the built-in keeper', 'run your keeper once per node (--node), or drop --keeper-cmd', 'FLAGS_CONFLICT');

  let targets: NodeTarget[];
  if (urls.length) {
    if (resolve.size) throw usageError('--resolve goes with --nodes; --hive-url already says where each hive is', undefined, 'FLAGS_CONFLICT');
    targets = urls.map(hiveUrlTarget);
  } else {
    for (const node of nodes) if (!NODE_NAME.test(node)) throw usageError(`--nodes: '${node}' is not a node name (letters, digits, '.' and '-')`, undefined, 'BAD_FLAG_VALUE');
    for (const [node, address] of resolve) {
      if (!nodes.includes(node)) throw usageError(`--resolve ${node}=${address}: '${node}' is not one of --nodes ${nodes.join(',')}`, undefined, 'BAD_FLAG_VALUE');
      if (isIP(address) === 0 && address !== 'localhost') throw usageError(`--resolve ${node}=${address}: not an IP address`, undefined, 'BAD_FLAG_VALUE');
    }
    const port = flags.optionalNumber('hive-port') ?? 8080;
    targets = nodes.map((node, i) => {
      const address = resolve.get(node);
      const host = nodeHost(node);
      if (hive.kind === 'external') {
        const hiveUrl = `http://${address ?? host}:${port}`;
        return { node, hiveUrl, reachedAs: address ? `node '${node}' → ${host}, reached at ${address} (--resolve)` : host === node ? `node '${node}' used as is` : `node '${node}' → ${host}` };
      }
      const bind = address ?? (isLocalNode(node) ? '127.0.0.1' : `127.0.0.${2 + i}`);
      if (!isLoopback(bind)) throw usageError(`--resolve ${node}=${bind}: a built-in hive listens on loopback only (127.0.0.0/8)`, 'pass --external-hive to reach hives already running on other machines', 'BAD_FLAG_VALUE');
      return { node, bind, reachedAs: `simulated node '${node}' (${host}): built-in hive on ${bind}${address ? ' (--resolve)' : ''}` };
    });
  }
  const seen = new Set<string>();
  for (const target of targets) {
    if (seen.has(target.node)) throw usageError(`node '${target.node}' is named twice`, undefined, 'BAD_FLAG_VALUE');
    seen.add(target.node);
  }
  const binds = targets.filter((target) => target.bind).map((target) => target.bind as string);
  if (new Set(binds).size !== binds.length && flags.has('hive-port')) throw usageError('two built-in hives would listen on the same address and --hive-port', 'give each node its own address with --resolve, or omit --hive-port', 'FLAGS_CONFLICT');
  return targets;
}
