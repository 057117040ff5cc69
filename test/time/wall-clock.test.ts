import { describe, expect, it } from 'vitest';
import { epochOf } from '../../tasks/lib/time/wall-clock.ts';

describe('epochOf: a performance.now() reading on the wall clock', () => {
  const origin = performance.timeOrigin;

  it('is timeOrigin + the reading while the wall clock agrees within 2 ms (Date.now() truncates; a fresh process has them ~1.2 ms apart)', () => {
    expect(epochOf(100, Math.floor(origin + 250.7), 250.7)).toBe(origin + 100);
    expect(epochOf(100, origin + 250 - 1.24, 250)).toBe(origin + 100);
    expect(epochOf(100, origin + 250 + 2, 250)).toBe(origin + 100);
    // Drifted apart by 80 ms (a vitest worker minutes old): followed.
    expect(epochOf(100, origin + 250 - 80, 250)).toBe(origin + 100 - 80);
  });

  it('follows the wall clock after it was stepped since the process started (NTP, a paused VM)', () => {
    // The wall clock now reads 2.4 s ahead of timeOrigin + now: a server stamping with Date.now() sees that.
    expect(epochOf(100, origin + 250 + 2400, 250)).toBe(origin + 100 + 2400);
    expect(epochOf(100, origin + 250 - 1500, 250)).toBe(origin + 100 - 1500);
  });

  it('reads the real clocks by default', () => {
    const before = Date.now();
    const epoch = epochOf(performance.now());
    expect(epoch).toBeGreaterThanOrEqual(before - 2);
    expect(epoch).toBeLessThanOrEqual(Date.now() + 2);
  });
});
