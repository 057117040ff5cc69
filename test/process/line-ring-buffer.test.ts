import { describe, expect, it } from 'vitest';
import { LineRingBuffer } from '../../tasks/lib/process/line-ring-buffer.ts';

describe('LineRingBuffer', () => {
  it('keeps only the newest lines, oldest first', () => {
    const ring = new LineRingBuffer(3);
    for (const line of ['a', 'b', 'c', 'd', 'e']) ring.push(line);
    expect(ring.tail()).toEqual(['c', 'd', 'e']);
    expect(ring.tail(2)).toEqual(['d', 'e']);
    expect(ring.total).toBe(5);
    expect(ring.size).toBe(3);
  });

  it('cuts very long lines', () => {
    const ring = new LineRingBuffer(2, 10);
    ring.push('x'.repeat(25));
    expect(ring.tail()[0]).toBe(`${'x'.repeat(10)}… [15 chars cut]`);
  });

  it('rejects a capacity below one', () => {
    expect(() => new LineRingBuffer(0)).toThrow(RangeError);
  });
});
