import { HarnessError } from '../errors/harness-error.ts';

/** One shard of n: `--shard 2/3` (index from 1, as Cucumber counts). */
export interface Shard {
  index: number;
  total: number;
}

export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(match?.[1]);
  const total = Number(match?.[2]);
  if (!match || total < 1 || index < 1 || index > total) {
    throw new HarnessError('BAD_SHARD', `--shard must be <index>/<total> with 1 ≤ index ≤ total; got '${text}'`, { kind: 'usage', hint: '--shard 1/3, --shard 2/3, --shard 3/3 split the run in three' });
  }
  return { index, total };
}

/**
 * The items of one shard: item i (0-based) belongs to shard (i mod total) + 1, the rule
 * Cucumber's --shard applies to scenarios. Deterministic, and every item is in exactly one shard.
 */
export function inShard<T>(items: readonly T[], shard: Shard): T[] {
  return items.filter((_, i) => i % shard.total === shard.index - 1);
}
