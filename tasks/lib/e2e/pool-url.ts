/** Seed 004's pool address rule: `localhost` and `127.0.0.1` as they are, any other node name gets the `.home.arpa` suffix. */
export const NODE_SUFFIX = '.home.arpa';
const LOCAL = new Set(['localhost', '127.0.0.1']);

/** The host a node name stands for: `localhost` → `localhost`, `gpu-1` → `gpu-1.home.arpa`. */
export function nodeHost(node: string): string {
  if (LOCAL.has(node) || node.endsWith(NODE_SUFFIX)) return node;
  return `${node}${NODE_SUFFIX}`;
}

/** `http://<host>:<port>` of the hive (pool manager) on `node`. */
export function poolUrl(node: string, port: number): string {
  return `http://${nodeHost(node)}:${port}`;
}

export function isLocalNode(node: string): boolean {
  return LOCAL.has(node);
}
