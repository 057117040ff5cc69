import { percentile, spread, type Spread } from '../../stats/percentiles.ts';
import { isFinal, type StreamMessage } from './stream-message.ts';

export interface MessageGap {
  ms: number;
  fromSeq: number;
  toSeq: number;
  client: string;
}

/**
 * The gaps between consecutive messages of one stream while the job ran: from its first message
 * to its final one (the wait for the first message is not an update interval).
 */
export function updateGaps(client: string, messages: readonly StreamMessage[]): MessageGap[] {
  const end = messages.findIndex((message) => isFinal(message));
  const running = end === -1 ? messages : messages.slice(0, end + 1);
  const gaps: MessageGap[] = [];
  for (let i = 1; i < running.length; i += 1) {
    const from = running[i - 1] as StreamMessage;
    const to = running[i] as StreamMessage;
    gaps.push({ ms: to.atMs - from.atMs, fromSeq: from.seq, toSeq: to.seq, client });
  }
  return gaps;
}

/** How the latency was obtained: measured against a server that stamps the trainer's update time, or estimated from `timestamp`. */
export type LatencySource = 'trainer-stamps' | 'message-timestamps';

export interface LatencySample {
  ms: number;
  seq: number;
}

/** Digits after the seconds of an ISO time: 0 → 1 s resolution, 3 → 1 ms. */
export function timestampResolutionMs(text: string): number {
  const fraction = /T\d{2}:\d{2}:\d{2}\.(\d+)/.exec(text)?.[1];
  return fraction ? 10 ** (3 - Math.min(3, fraction.length)) : 1000;
}

/**
 * Latency samples of one stream. `trainer-stamps`: receive time − `trainer_updated_at`, once per
 * trainer update (re-sends of the same update are not new updates). `message-timestamps`: receive
 * time − `timestamp` for every message, i.e. server send → client.
 */
export function latencySamples(messages: readonly StreamMessage[], source: LatencySource): LatencySample[] {
  const samples: LatencySample[] = [];
  const seen = new Set<string>();
  for (const message of messages) {
    const field = source === 'trainer-stamps' ? message.value?.trainer_updated_at : message.value?.timestamp;
    if (typeof field !== 'string') continue;
    const stamped = Date.parse(field);
    if (Number.isNaN(stamped)) continue;
    if (source === 'trainer-stamps') {
      if (seen.has(field)) continue;
      seen.add(field);
    }
    samples.push({ ms: message.epochMs - stamped, seq: message.seq });
  }
  return samples;
}

export interface ClientLatency {
  client: string;
  n: number;
  p50: number;
  p95: number;
  max: number;
}

export function clientLatency(client: string, samples: readonly LatencySample[]): ClientLatency {
  const values = samples.map((sample) => sample.ms);
  return { client, n: values.length, p50: percentile(values, 50), p95: percentile(values, 95), max: Math.max(...values) };
}

/** Spread of a per-client figure across clients (for `--clients 100`). */
export function acrossClients(clients: readonly ClientLatency[], pick: (client: ClientLatency) => number): Spread {
  return spread(clients.map(pick));
}

/** A message's content in a canonical form, for comparing streams. */
export function canonical(message: StreamMessage): string {
  if (!message.value) return `raw:${message.text}`;
  return JSON.stringify(sortKeys(message.value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)).map(([key, inner]) => [key, sortKeys(inner)]));
}

export interface SequenceComparison {
  identical: boolean;
  /** Messages every client received from the common start on. */
  common: number;
  /** Per client: messages before the common start (sent before it joined, or its join snapshot). */
  skipped: number[];
  mismatch?: { position: number; clients: string[]; contents: string[] };
}

/**
 * Clients that joined at slightly different moments should, from the first message they all got,
 * receive the same messages in the same order to the end. The common start is the first message
 * of the last client to join (or one of its next two, after a join snapshot) that every client has.
 */
export function compareSequences(clients: readonly { label: string; messages: readonly StreamMessage[] }[]): SequenceComparison {
  const keys = clients.map((client) => client.messages.map(canonical));
  const latest = clients.reduce((best, client, index) => ((client.messages[0]?.atMs ?? Infinity) > (clients[best]?.messages[0]?.atMs ?? -Infinity) ? index : best), 0);
  const latestKeys = keys[latest] ?? [];
  for (let k = 0; k < Math.min(3, latestKeys.length); k += 1) {
    const starts = keys.map((list) => list.indexOf(latestKeys[k] as string));
    if (starts.some((start) => start === -1)) continue;
    const tails = keys.map((list, index) => list.slice(starts[index]));
    const length = Math.max(...tails.map((tail) => tail.length));
    for (let position = 0; position < length; position += 1) {
      const contents = tails.map((tail) => tail[position] ?? '(nothing: the stream ended)');
      if (new Set(contents).size > 1) {
        return { identical: false, common: position, skipped: starts, mismatch: { position, clients: clients.map((client) => client.label), contents } };
      }
    }
    return { identical: true, common: length, skipped: starts };
  }
  return { identical: false, common: 0, skipped: keys.map(() => 0), mismatch: { position: 0, clients: clients.map((client) => client.label), contents: clients.map((client) => (client.messages[0] ? canonical(client.messages[0]) : '(no message)')) } };
}
