import { setTimeout as delay } from 'node:timers/promises';

/**
 * Sleeps, but wakes early (without throwing) when the signal aborts. Used only between polls
 * of a wait, never to "give something time".
 */
export async function sleepUnlessAborted(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return;
  try {
    await delay(ms, undefined, { signal });
  } catch (error) {
    if (!signal?.aborted) throw error;
  }
}
