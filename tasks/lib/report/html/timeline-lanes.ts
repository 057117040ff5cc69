import type { TimelineEvent } from '../timeline.ts';

/** One row of the timeline and the events drawn on it (indexes into the run's event list). */
export interface Lane {
  /** What the lane is called on screen: `<node> › <lane>` in a merged report. */
  name: string;
  /** The lane as recorded (`process:worker`). */
  lane: string;
  /** In a merged report: the node or shard the lane belongs to; its lanes are drawn together. */
  node?: string;
  /** `process`, `probe`, `hive`, `ws`, `faults`, `checks`, `phases` or `other`: decides the order and how marks are drawn. */
  group: string;
  events: number[];
}

const ORDER = ['checks', 'phases', 'faults', 'process', 'probe', 'hive', 'ws', 'other'];

export function laneGroup(lane: string): string {
  const prefix = lane.split(':')[0] ?? lane;
  if (lane === 'checks' || lane === 'phases' || lane === 'faults' || lane === 'hive') return lane;
  if (prefix === 'process' || prefix === 'probe' || prefix === 'ws' || prefix === 'hive') return prefix;
  return 'other';
}

const keyOf = (lane: string, node: string | undefined): string => (node === undefined ? lane : `${node} › ${lane}`);

/**
 * Lanes in reading order: checks and phases on top, then faults, each process followed by the
 * probes aimed at it (`probe:<process> …`), the hive, WebSocket sessions, anything else. In a
 * merged report the lanes of each node come together, nodes in name order.
 */
export function buildLanes(events: readonly TimelineEvent[]): Lane[] {
  const lanes = new Map<string, Lane>();
  const nodeOrder = new Map<string, number>();
  // Nodes in name order (n2 before n10), whatever order their runs started in.
  const nodeNames = [...new Set(events.flatMap((event) => (event.node === undefined ? [] : [event.node])))].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  nodeNames.forEach((node, i) => nodeOrder.set(node, i));
  events.forEach((event, index) => {
    const key = keyOf(event.lane, event.node);
    let lane = lanes.get(key);
    if (!lane) lanes.set(key, (lane = { name: key, lane: event.lane, ...(event.node === undefined ? {} : { node: event.node }), group: laneGroup(event.lane), events: [] }));
    lane.events.push(index);
  });
  const owner = (lane: Lane): string => {
    if (lane.group !== 'probe') return '';
    const target = lane.lane.slice('probe:'.length);
    const processes = [...lanes.values()].filter((other) => other.group === 'process' && other.node === lane.node).map((other) => other.lane.slice('process:'.length));
    return processes.filter((name) => target === name || target.startsWith(`${name} `)).sort((a, b) => b.length - a.length)[0] ?? '';
  };
  const rank = (lane: Lane): [number, number, string, number, string] => {
    const group = lane.group === 'probe' && owner(lane) ? 'process' : lane.group;
    const processName = lane.group === 'process' ? lane.lane.slice('process:'.length) : owner(lane);
    const node = lane.node === undefined ? -1 : (nodeOrder.get(lane.node) ?? 0);
    return [node, ORDER.indexOf(group), processName, lane.group === 'process' ? 0 : 1, lane.name];
  };
  const firstAt = (lane: Lane): number => events[lane.events[0] as number]?.atMs ?? 0;
  return [...lanes.values()].sort((a, b) => {
    const [da, ga, pa, sa, na] = rank(a);
    const [db, gb, pb, sb, nb] = rank(b);
    if (da !== db) return da - db;
    if (ga !== gb) return ga - gb;
    if (pa !== pb) return firstAtOfProcess(pa, a.node) - firstAtOfProcess(pb, b.node) || pa.localeCompare(pb);
    if (sa !== sb) return sa - sb;
    return firstAt(a) - firstAt(b) || na.localeCompare(nb);
  });

  function firstAtOfProcess(name: string, node: string | undefined): number {
    const lane = lanes.get(keyOf(`process:${name}`, node));
    return lane ? firstAt(lane) : 0;
  }
}

/** When a process lane's process became ready: the first `ok` probe tick aimed at it. */
export function readyAt(lane: Lane, lanes: readonly Lane[], events: readonly TimelineEvent[]): number | undefined {
  if (lane.group !== 'process') return undefined;
  const name = lane.lane.slice('process:'.length);
  let first: number | undefined;
  for (const other of lanes) {
    if (other.group !== 'probe' || other.node !== lane.node) continue;
    const target = other.lane.slice('probe:'.length);
    if (target !== name && !target.startsWith(`${name} `)) continue;
    for (const index of other.events) {
      const event = events[index] as TimelineEvent;
      if (event.status === 'ok' && (first === undefined || event.atMs < first)) first = event.atMs;
    }
  }
  return first;
}
