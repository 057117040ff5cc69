import type { TimelineEvent } from '../timeline.ts';

/** One row of the timeline and the events drawn on it (indexes into the run's event list). */
export interface Lane {
  name: string;
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

/**
 * Lanes in reading order: checks and phases on top, then faults, each process followed by the
 * probes aimed at it (`probe:<process> …`), the hive, WebSocket sessions, anything else.
 */
export function buildLanes(events: readonly TimelineEvent[]): Lane[] {
  const lanes = new Map<string, Lane>();
  events.forEach((event, index) => {
    let lane = lanes.get(event.lane);
    if (!lane) lanes.set(event.lane, (lane = { name: event.lane, group: laneGroup(event.lane), events: [] }));
    lane.events.push(index);
  });
  const processes = [...lanes.values()].filter((lane) => lane.group === 'process').map((lane) => lane.name.slice('process:'.length));
  const owner = (lane: Lane): string => {
    if (lane.group !== 'probe') return '';
    const target = lane.name.slice('probe:'.length);
    return processes.filter((name) => target === name || target.startsWith(`${name} `)).sort((a, b) => b.length - a.length)[0] ?? '';
  };
  const rank = (lane: Lane): [number, string, number, string] => {
    const group = lane.group === 'probe' && owner(lane) ? 'process' : lane.group;
    const processName = lane.group === 'process' ? lane.name.slice('process:'.length) : owner(lane);
    return [ORDER.indexOf(group), processName, lane.group === 'process' ? 0 : 1, lane.name];
  };
  const firstAt = (lane: Lane): number => events[lane.events[0] as number]?.atMs ?? 0;
  return [...lanes.values()].sort((a, b) => {
    const [ga, pa, sa, na] = rank(a);
    const [gb, pb, sb, nb] = rank(b);
    if (ga !== gb) return ga - gb;
    if (pa !== pb) return firstAtOfProcess(pa) - firstAtOfProcess(pb) || pa.localeCompare(pb);
    if (sa !== sb) return sa - sb;
    return firstAt(a) - firstAt(b) || na.localeCompare(nb);
  });

  function firstAtOfProcess(name: string): number {
    const lane = lanes.get(`process:${name}`);
    return lane ? firstAt(lane) : 0;
  }
}

/** When a process lane's process became ready: the first `ok` probe tick aimed at it. */
export function readyAt(lane: Lane, lanes: readonly Lane[], events: readonly TimelineEvent[]): number | undefined {
  if (lane.group !== 'process') return undefined;
  const name = lane.name.slice('process:'.length);
  let first: number | undefined;
  for (const other of lanes) {
    if (other.group !== 'probe') continue;
    const target = other.name.slice('probe:'.length);
    if (target !== name && !target.startsWith(`${name} `)) continue;
    for (const index of other.events) {
      const event = events[index] as TimelineEvent;
      if (event.status === 'ok' && (first === undefined || event.atMs < first)) first = event.atMs;
    }
  }
  return first;
}
