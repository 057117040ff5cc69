import { Encoder } from '@msgpack/msgpack';
import { describe, expect, it } from 'vitest';
import { HarnessError } from '../../tasks/lib/errors/harness-error.ts';
import { CodecError, DTYPES, SUPPORTED_DTYPES, type Dtype, type TypedArrayFor } from '../../tasks/lib/status-protocol/dtypes.ts';
import { MsgpackFloat } from '../../tasks/lib/status-protocol/msgpack-float.ts';
import { BIN_KEY_PREFIX, createEncoder } from '../../tasks/lib/status-protocol/msgpack-wire.ts';
import { decodeMessage, encodeMessage } from '../../tasks/lib/status-protocol/ndarray-codec.ts';
import { NdArray } from '../../tasks/lib/status-protocol/nd-array.ts';
import { NpScalar } from '../../tasks/lib/status-protocol/np-scalar.ts';

/** Sample values per dtype, including the edges of each range. */
const SAMPLES: { [D in Dtype]: TypedArrayFor<D> } = {
  '|b1': Uint8Array.from([1, 0, 1, 1, 0, 0]),
  '|i1': Int8Array.from([-128, -1, 0, 1, 2, 127]),
  '|u1': Uint8Array.from([0, 1, 2, 128, 254, 255]),
  '<i2': Int16Array.from([-32768, -1, 0, 1, 2, 32767]),
  '<u2': Uint16Array.from([0, 1, 2, 3, 4, 65535]),
  '<i4': Int32Array.from([-(2 ** 31), -1, 0, 1, 2, 2 ** 31 - 1]),
  '<u4': Uint32Array.from([0, 1, 2, 3, 4, 2 ** 32 - 1]),
  '<i8': BigInt64Array.from([-(2n ** 63n), -1n, 0n, 1n, 2n ** 53n + 1n, 2n ** 63n - 1n]),
  '<u8': BigUint64Array.from([0n, 1n, 2n, 3n, 2n ** 53n + 1n, 2n ** 64n - 1n]),
  '<f4': Float32Array.from([-0, 1.5, -2.25, Number.POSITIVE_INFINITY, Number.NaN, 3.4028234663852886e38]),
  '<f8': Float64Array.from([Math.PI, -1e300, 5e-324, Number.NEGATIVE_INFINITY, Number.NaN, -0]),
};

const wire = createEncoder();
const bin = (name: string): string => `${BIN_KEY_PREFIX}${name}`;
/** A raw ndarray map, bypassing the codec's own checks, to feed malformed input to the decoder. */
const rawArray = (fields: Record<string, unknown>): Uint8Array => wire.encode({ obs: Object.fromEntries(Object.entries(fields).map(([key, value]) => [bin(key), value])) });

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(HarnessError);
    return (error as HarnessError).code;
  }
  return undefined;
}

describe('ndarray codec: round trips', () => {
  it.each(SUPPORTED_DTYPES)('round-trips a %s array with a 2-D shape, bit for bit', (dtype) => {
    const data = SAMPLES[dtype];
    const array = new NdArray(dtype, [2, 3], data);
    const back = decodeMessage(encodeMessage({ obs: array })) as { obs: NdArray };
    expect(back.obs).toBeInstanceOf(NdArray);
    expect(back.obs.dtype).toBe(dtype);
    expect(back.obs.shape).toEqual([2, 3]);
    expect(back.obs.data).toBeInstanceOf(DTYPES[dtype].array);
    expect(Buffer.from(back.obs.bytes())).toEqual(Buffer.from(array.bytes())); // NaN and -0 included
  });

  it('covers exactly the dtypes of the spec', () => {
    expect(SUPPORTED_DTYPES).toEqual(['|b1', '|i1', '|u1', '<i2', '<u2', '<i4', '<u4', '<i8', '<u8', '<f4', '<f8']);
  });

  it('turns bare typed arrays into 1-D ndarrays of their natural dtype, and keeps Uint8Array as bin', () => {
    const back = decodeMessage(encodeMessage({ f: new Float32Array([1, 2]), i: new BigInt64Array([5n]), raw: new Uint8Array([1, 2, 3]) })) as Record<string, unknown>;
    expect((back.f as NdArray).describe()).toBe('<f4[2]>');
    expect((back.i as NdArray).describe()).toBe('<i8[1]>');
    expect(back.raw).toBeInstanceOf(Uint8Array);
    expect(back.raw).not.toBeInstanceOf(NdArray);
  });

  it('handles 0-d and empty arrays', () => {
    const back = decodeMessage(encodeMessage([new NdArray('<f4', [], new Float32Array([3.5])), new NdArray('<f8', [0, 3], new Float64Array(0))])) as NdArray[];
    expect(back[0]?.shape).toEqual([]);
    expect(back[0]?.toArray()).toEqual([3.5]);
    expect(back[1]?.shape).toEqual([0, 3]);
  });

  it('round-trips numpy scalars of every kind', () => {
    const scalars = [new NpScalar('<f4', Math.fround(0.1)), new NpScalar('<f8', 2), new NpScalar('|b1', true), new NpScalar('<i8', -(2 ** 40)), new NpScalar('<u8', 2n ** 64n - 1n), new NpScalar('|u1', 255)];
    const back = decodeMessage(encodeMessage(scalars)) as NpScalar[];
    expect(back.map((scalar) => [scalar.dtype, scalar.value])).toEqual(scalars.map((scalar) => [scalar.dtype, scalar.value]));
  });

  it('writes a float scalar as a msgpack float even when integral, like Python does', () => {
    const bytes = encodeMessage(new NpScalar('<f4', 2));
    expect(Buffer.from(bytes).toString('hex')).toContain('cb4000000000000000'); // float 64 2.0
  });

  it('keeps ordinary values: str keys, nested lists, nil, booleans, 64-bit integers', () => {
    const value = { prompt: 'pick', nested: [{ a: null, b: true }], big: 2 ** 40, neg: -(2 ** 40), huge: 2n ** 63n, half: 0.5 };
    expect(decodeMessage(encodeMessage(value))).toEqual(value);
  });
});

describe('ndarray codec: bin keys and integer shapes', () => {
  it('writes the ndarray map keys as msgpack bin and ordinary keys as str', () => {
    const hex = Buffer.from(encodeMessage({ state: new NdArray('<f4', [1], new Float32Array([1])) })).toString('hex');
    const binKey = (name: string): string => `c4${name.length.toString(16).padStart(2, '0')}${Buffer.from(name).toString('hex')}`;
    for (const name of ['__ndarray__', 'data', 'dtype', 'shape']) expect(hex).toContain(binKey(name));
    expect(hex.startsWith(`81a5${Buffer.from('state').toString('hex')}`)).toBe(true); // fixmap, fixstr "state"
    expect(hex).toContain(`${binKey('shape')}9101`); // [1]: fixarray of a positive fixint
  });

  it('accepts bin map keys on decode (which the library refuses by default)', () => {
    const plain = new Encoder().encode({ x: 1 });
    expect(decodeMessage(plain)).toEqual({ x: 1 });
    const bytes = rawArray({ __ndarray__: true, data: new Uint8Array(8), dtype: '<f4', shape: [2] });
    expect((decodeMessage(bytes) as { obs: NdArray }).obs.describe()).toBe('<f4[2]>');
  });

  it('encodes shapes as msgpack integers, never floats', () => {
    const hex = Buffer.from(encodeMessage(new NdArray('|u1', [300, 2], new Uint8Array(600)))).toString('hex');
    expect(hex).toContain(`${Buffer.from('shape').toString('hex')}92cd012c02`); // [300, 2]: uint16 300, fixint 2
  });

  it('rejects a float in a shape with NDARRAY_BAD_SHAPE', () => {
    expect(codeOf(() => decodeMessage(rawArray({ __ndarray__: true, data: new Uint8Array(8), dtype: '<f4', shape: [new MsgpackFloat(2)] })))).toBe(CodecError.ndarrayBadShape);
  });
});

describe('ndarray codec: malformed maps are rejected with a named error', () => {
  const ok = { __ndarray__: true, data: new Uint8Array(8), dtype: '<f4', shape: [2] };
  it.each([
    ['data missing', { ...ok, data: undefined }, CodecError.ndarrayMalformed],
    ['data as str', { ...ok, data: 'abcdefgh' }, CodecError.ndarrayMalformed],
    ['__ndarray__ false', { ...ok, __ndarray__: false }, CodecError.ndarrayMalformed],
    ['dtype as int', { ...ok, dtype: 4 }, CodecError.ndarrayMalformed],
    ['big-endian dtype', { ...ok, dtype: '>f4' }, CodecError.unsupportedDtype],
    ['half floats', { ...ok, data: new Uint8Array(4), dtype: '<f2' }, CodecError.unsupportedDtype],
    ['object dtype', { ...ok, dtype: '|O' }, CodecError.unsupportedDtype],
    ['shape not a list', { ...ok, shape: 2 }, CodecError.ndarrayBadShape],
    ['negative shape', { ...ok, shape: [-2] }, CodecError.ndarrayBadShape],
    ['too few bytes', { ...ok, data: new Uint8Array(6) }, CodecError.ndarraySizeMismatch],
    ['too many bytes', { ...ok, shape: [1] }, CodecError.ndarraySizeMismatch],
  ])('%s', (_, fields, code) => {
    const present = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
    expect(codeOf(() => decodeMessage(rawArray(present)))).toBe(code);
  });

  it('a str-keyed __ndarray__ map is NDARRAY_STR_KEYS (upstream peers would not see an array)', () => {
    expect(codeOf(() => decodeMessage(new Encoder().encode({ obs: { __ndarray__: true, data: new Uint8Array(8), dtype: '<f4', shape: [2] } })))).toBe(CodecError.strKeys);
  });

  it('a broken __npgeneric__ map is NPGENERIC_MALFORMED', () => {
    expect(codeOf(() => decodeMessage(wire.encode({ [bin('__npgeneric__')]: true, [bin('dtype')]: '<f4' })))).toBe(CodecError.npgenericMalformed);
    expect(codeOf(() => decodeMessage(wire.encode({ [bin('__npgeneric__')]: true, [bin('data')]: 'x', [bin('dtype')]: '<i4' })))).toBe(CodecError.npgenericMalformed);
  });

  it('bytes that are not msgpack are MSGPACK_DECODE', () => {
    expect(codeOf(() => decodeMessage(Uint8Array.from([0xc1])))).toBe(CodecError.decode);
    expect(codeOf(() => decodeMessage(encodeMessage({ a: 'truncated' }).subarray(0, 5)))).toBe(CodecError.decode);
  });

  it('the encoder refuses what it cannot put on the wire, naming the path', () => {
    const error = (() => {
      try {
        encodeMessage({ obs: { when: new Date() } });
      } catch (thrown) {
        return thrown as HarnessError;
      }
      return undefined;
    })();
    expect(error?.code).toBe(CodecError.unsupportedValue);
    expect(error?.message).toContain('obs.when');
    expect(codeOf(() => encodeMessage(new NpScalar('<i4', 1.5)))).toBe(CodecError.npgenericMalformed);
    expect(codeOf(() => new NdArray('<f4', [3], new Float32Array(2)))).toBe(CodecError.ndarraySizeMismatch);
    expect(codeOf(() => new NdArray('<f4', [2], new Float64Array(2) as unknown as Float32Array))).toBe(CodecError.ndarrayMalformed);
  });
});
