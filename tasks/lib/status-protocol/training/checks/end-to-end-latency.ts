import { HarnessError } from '../../../errors/harness-error.ts';
import { percentile } from '../../../stats/percentiles.ts';
import { formatDuration } from '../../../time/format-duration.ts';
import { acrossClients, clientLatency, latencySamples, timestampResolutionMs, type ClientLatency } from '../stream-stats.ts';
import { needsRunningStream, settleEnds, type TrainingCheck } from '../training-state.ts';

const ms = (value: number): string => formatDuration(value);

/**
 * Trainer update → client, p95 under `--max-latency` (seed: < 1 s). Against the reference server
 * (same host, messages stamped with the trainer's write time `trainer_updated_at`) it is measured;
 * against another server it is estimated from `timestamp` (server send → client, at the
 * timestamp's resolution, assuming the server's clock agrees with this machine's), and says so.
 */
export const endToEndLatency: TrainingCheck = {
  name: 'end-to-end latency',
  skipReason: needsRunningStream,
  async run(state) {
    await settleEnds(state);
    const { latencySource: source, timing } = state.target;
    const perClient = state.observers.map(({ client }) => ({ client, samples: latencySamples(client.messages, source) }));
    const all = perClient.flatMap((entry) => entry.samples.map((sample) => sample.ms));
    if (all.length === 0) {
      throw new HarnessError('NO_LATENCY_STAMPS', source === 'trainer-stamps' ? 'no message carried trainer_updated_at: nothing to measure the latency from' : 'no message carried a parsable timestamp: the latency cannot be estimated', {});
    }
    const firstStamp = perClient.flatMap(({ client }) => client.messages).find((message) => typeof message.value?.timestamp === 'string')?.value?.timestamp as string | undefined;
    const resolution = source === 'message-timestamps' && firstStamp ? timestampResolutionMs(firstStamp) : 0;
    const clients: ClientLatency[] = perClient.filter((entry) => entry.samples.length > 0).map((entry) => clientLatency(entry.client.label, entry.samples));
    const p50 = percentile(all, 50);
    const p95 = percentile(all, 95);
    const max = Math.max(...all);
    const how = source === 'trainer-stamps' ? `measured: trainer's progress.json write (trainer_updated_at) → client receipt, once per update` : `estimated from message timestamps (server send → client${resolution >= 1000 ? ', 1 s resolution: each figure may be up to 1 s high' : ''}; assumes the server's clock agrees with this machine's)`;
    const perClientText = clients.length > 3 ? `; per client p50 median ${ms(acrossClients(clients, (c) => c.p50).p50)} (worst ${ms(acrossClients(clients, (c) => c.p50).max)}), per client p95 median ${ms(acrossClients(clients, (c) => c.p95).p50)} (worst ${ms(acrossClients(clients, (c) => c.p95).max)})` : '';
    const evidence = { source, resolutionMs: resolution, samples: all.length, p50Ms: round(p50), p95Ms: round(p95), maxMs: round(max), limitMs: timing.maxLatencyMs, perClient: clients.map((c) => ({ ...c, p50: round(c.p50), p95: round(c.p95), max: round(c.max) })) };
    const figures = `p50 ${ms(p50)}, p95 ${ms(p95)}, max ${ms(max)} over ${all.length} updates × clients${perClientText}`;
    // With a coarse timestamp only the part beyond its resolution is certain.
    const judged = p95 - resolution;
    if (judged >= timing.maxLatencyMs) {
      throw new HarnessError('LATENCY_ABOVE_LIMIT', `${figures} (${how}): p95 ${resolution ? `(less the ${ms(resolution)} timestamp resolution) ` : ''}is not under ${ms(timing.maxLatencyMs)}`, { evidence });
    }
    if (judged < -50) {
      throw new HarnessError('LATENCY_CLOCK_SKEW', `${figures}: messages arrive before they were stamped, so the server's clock is ahead of this machine's; the latency cannot be estimated from its timestamps`, { evidence });
    }
    return { detail: `${figures} (${how}), p95 under ${ms(timing.maxLatencyMs)}`, evidence };
  },
};

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
