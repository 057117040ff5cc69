import { describe, expect, it } from 'vitest';
import { formatDuration } from '../../tasks/lib/time/format-duration.ts';

describe('formatDuration', () => {
  it.each([
    [0, '0 ms'],
    [12.4, '12 ms'],
    [999.4, '999 ms'],
    // just under a boundary: the unit follows the rounded value
    [999.5, '1.00 s'],
    [999.99, '1.00 s'],
    [1000, '1.00 s'],
    [1234, '1.23 s'],
    [59_994, '59.99 s'],
    [59_995, '1 min 0 s'],
    [59_999.9, '1 min 0 s'],
    [60_000, '1 min 0 s'],
    [75_000, '1 min 15 s'],
    [119_499, '1 min 59 s'],
    [119_500, '2 min 0 s'],
    [119_700, '2 min 0 s'],
  ])('%s ms → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
