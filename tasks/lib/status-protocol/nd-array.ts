import { CodecError, codecError, DTYPES, type Dtype, type NumericTypedArray, type TypedArrayFor } from './dtypes.ts';

function shapeSize(shape: readonly number[]): number {
  return shape.reduce((product, dim) => product * dim, 1);
}

function dtypeOf(data: NumericTypedArray): Dtype {
  if (data instanceof Float32Array) return '<f4';
  if (data instanceof Float64Array) return '<f8';
  if (data instanceof Int8Array) return '|i1';
  if (data instanceof Uint8Array) return '|u1';
  if (data instanceof Int16Array) return '<i2';
  if (data instanceof Uint16Array) return '<u2';
  if (data instanceof Int32Array) return '<i4';
  if (data instanceof Uint32Array) return '<u4';
  if (data instanceof BigInt64Array) return '<i8';
  return '<u8';
}

/**
 * A numpy array as it travels in the policy protocol: a dtype string, a C-order shape and a typed
 * array holding the elements (`|b1` uses a Uint8Array of 0/1). Encoded as the upstream
 * `msgpack_numpy` map `{bin"__ndarray__": true, bin"data", bin"dtype", bin"shape"}`.
 */
export class NdArray<D extends Dtype = Dtype> {
  readonly dtype: D;
  readonly shape: readonly number[];
  readonly data: TypedArrayFor<D>;

  constructor(dtype: D, shape: readonly number[], data: TypedArrayFor<D>) {
    const spec = DTYPES[dtype];
    if (!spec) throw codecError(CodecError.unsupportedDtype, `dtype ${JSON.stringify(dtype)} is not supported`);
    if (!(data instanceof spec.array)) throw codecError(CodecError.ndarrayMalformed, `dtype ${dtype} needs a ${spec.array.name}, got a ${(data as object).constructor.name}`);
    if (!shape.every((dim) => Number.isSafeInteger(dim) && dim >= 0)) throw codecError(CodecError.ndarrayBadShape, `shape [${shape.join(', ')}] must hold non-negative integers`);
    if (shapeSize(shape) !== data.length) throw codecError(CodecError.ndarraySizeMismatch, `shape [${shape.join(', ')}] holds ${shapeSize(shape)} elements but the data has ${data.length}`);
    this.dtype = dtype;
    this.shape = Object.freeze([...shape]);
    this.data = data;
  }

  /** A typed array as an ndarray of its natural dtype (`Float32Array` → `<f4`), 1-D unless a shape is given. */
  static of(data: NumericTypedArray, shape: readonly number[] = [data.length]): NdArray {
    return new NdArray(dtypeOf(data), shape, data as TypedArrayFor<Dtype>);
  }

  /** A `|b1` array from booleans. */
  static bool(values: readonly boolean[], shape: readonly number[] = [values.length]): NdArray<'|b1'> {
    return new NdArray('|b1', shape, Uint8Array.from(values, (value) => (value ? 1 : 0)));
  }

  get size(): number {
    return this.data.length;
  }

  /** The raw C-order little-endian bytes (a view, not a copy). */
  bytes(): Uint8Array {
    return new Uint8Array(this.data.buffer, this.data.byteOffset, this.data.byteLength);
  }

  /** `<f4[10, 7]>`: dtype and shape in angle brackets (the protocol's dtypes are all little-endian `<` or byte-order-free `|`). */
  describe(): string {
    return `<${this.dtype.slice(1)}[${this.shape.join(', ')}]>`;
  }

  /** Elements as plain JS values (bigints for 64-bit integers, booleans for `|b1`). */
  toArray(): Array<number | bigint | boolean> {
    if (this.dtype === '|b1') return Array.from(this.data as Uint8Array, (value) => value !== 0);
    return Array.from(this.data as ArrayLike<number | bigint>);
  }

  toJSON(): { ndarray: string; shape: number[] } {
    return { ndarray: this.dtype, shape: [...this.shape] };
  }
}
