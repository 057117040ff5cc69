import { DTYPES, type Dtype } from './dtypes.ts';

export type NpScalarValue = number | bigint | boolean;

/**
 * A numpy scalar of a fixed dtype (`np.float32(0.5)`, `np.int64(42)`), encoded like upstream
 * `msgpack_numpy`: `{bin"__npgeneric__": true, bin"data": <value>, bin"dtype": "<f4"}` where
 * the value is a msgpack float for float dtypes, an integer for integer dtypes, a bool for `|b1`.
 */
export class NpScalar<D extends Dtype = Dtype> {
  constructor(
    readonly dtype: D,
    readonly value: NpScalarValue,
  ) {}

  get kind(): (typeof DTYPES)[D]['kind'] {
    return DTYPES[this.dtype].kind;
  }

  describe(): string {
    return `${this.dtype}(${String(this.value)})`;
  }

  toJSON(): { npgeneric: string; value: number | string | boolean } {
    return { npgeneric: this.dtype, value: typeof this.value === 'bigint' ? this.value.toString() : this.value };
  }
}
