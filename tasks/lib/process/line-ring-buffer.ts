/**
 * Keeps the last `capacity` lines of a stream. Lines longer than `maxLineLength` are cut so a
 * process that prints one enormous line cannot grow the harness without bound.
 */
export class LineRingBuffer {
  readonly #lines: string[];
  #next = 0;
  #size = 0;
  #total = 0;

  constructor(
    readonly capacity = 1000,
    readonly maxLineLength = 4096,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.#lines = new Array<string>(capacity);
  }

  push(line: string): void {
    const kept = line.length > this.maxLineLength ? `${line.slice(0, this.maxLineLength)}… [${line.length - this.maxLineLength} chars cut]` : line;
    this.#lines[this.#next] = kept;
    this.#next = (this.#next + 1) % this.capacity;
    this.#size = Math.min(this.#size + 1, this.capacity);
    this.#total += 1;
  }

  /** The last `n` lines, oldest first. */
  tail(n = this.capacity): string[] {
    const count = Math.max(0, Math.min(n, this.#size));
    const out: string[] = [];
    for (let i = count; i > 0; i -= 1) {
      const index = (this.#next - i + this.capacity) % this.capacity;
      out.push(this.#lines[index] as string);
    }
    return out;
  }

  get size(): number {
    return this.#size;
  }

  /** How many lines were pushed in total; `total - size` were dropped. */
  get total(): number {
    return this.#total;
  }
}
