import { shutdownAbortSignal } from '../process/guard-registry.ts';
import { ROLES, type Role } from './probe-outcome.ts';

/** Baseline and canary in a random order, one pair per sample, so drift on the machine hits both alike. */
export function interleavedOrder(samples: number, random: () => number = Math.random): Role[][] {
  return Array.from({ length: samples }, () => (random() < 0.5 ? [...ROLES] : [...ROLES].reverse()));
}

/**
 * Takes `samples` samples from each side, alternating in a randomised order. Each call of
 * `sample` returns a value, or undefined when that sample was lost (counted, not recorded).
 */
export async function sampleInterleaved(samples: number, sample: (role: Role, index: number) => Promise<number | undefined>): Promise<Record<Role, { values: number[]; lost: number; order: string }>> {
  const result: Record<Role, { values: number[]; lost: number; order: string }> = { baseline: { values: [], lost: 0, order: '' }, canary: { values: [], lost: 0, order: '' } };
  const order = interleavedOrder(samples);
  for (const [index, pair] of order.entries()) {
    if (shutdownAbortSignal().aborted) break; // Ctrl-C: no new sample
    for (const role of pair) {
      const value = await sample(role, index);
      if (value === undefined) result[role].lost += 1;
      else result[role].values.push(value);
    }
  }
  const firsts = order.map((pair) => (pair[0] === 'baseline' ? 'B' : 'C')).join('');
  result.baseline.order = firsts;
  result.canary.order = firsts;
  return result;
}
