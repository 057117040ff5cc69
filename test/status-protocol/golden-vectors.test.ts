import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HarnessError } from '../../tasks/lib/errors/harness-error.ts';
import { decodeMessage, encodeMessage } from '../../tasks/lib/status-protocol/ndarray-codec.ts';
import { NdArray } from '../../tasks/lib/status-protocol/nd-array.ts';
import { NpScalar } from '../../tasks/lib/status-protocol/np-scalar.ts';

/**
 * Golden vectors written by test/status-protocol/golden/make-golden.py with Python msgpack +
 * numpy, packed exactly like the upstream `msgpack_numpy` helpers. The codec must decode them to
 * the right typed arrays, and encoding the same values must give the same bytes.
 */
const golden = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`./golden/${name}.msgpack`, import.meta.url)));
const manifest = JSON.parse(readFileSync(new URL('./golden/manifest.json', import.meta.url), 'utf8')) as { valid: string[]; malformed: Record<string, string> };

const f32 = (values: number[]): Float32Array => Float32Array.from(values);

/** The same values the Python script packs, built with the TypeScript codec's types. */
const EXPECTED: Record<string, unknown> = {
  dtypes: {
    b1: NdArray.bool([true, false, true]),
    i1: new NdArray('|i1', [3], Int8Array.from([-128, 0, 127])),
    u1: new NdArray('|u1', [2, 3], Uint8Array.from([0, 1, 2, 253, 254, 255])),
    i2: new NdArray('<i2', [4], Int16Array.from([-32768, -1, 0, 32767])),
    u2: new NdArray('<u2', [3], Uint16Array.from([0, 1, 65535])),
    i4: new NdArray('<i4', [3], Int32Array.from([-(2 ** 31), 0, 2 ** 31 - 1])),
    u4: new NdArray('<u4', [2], Uint32Array.from([0, 2 ** 32 - 1])),
    i8: new NdArray('<i8', [4], BigInt64Array.from([-(2n ** 63n), -1n, 2n ** 53n + 1n, 2n ** 63n - 1n])),
    u8: new NdArray('<u8', [2], BigUint64Array.from([0n, 2n ** 64n - 1n])),
    f4: new NdArray('<f4', [4], f32([1.5, -0, Number.POSITIVE_INFINITY, -2.25])),
    f8: new NdArray('<f8', [2, 2], Float64Array.from([Math.PI, -1e300, 5e-324, Number.NaN])),
  },
  observation: {
    'observation/state': NdArray.of(f32([0, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75])),
    'observation/image': new NdArray('|u1', [2, 4, 3], Uint8Array.from({ length: 24 }, (_, i) => i)),
    'observation/empty': new NdArray('<f4', [0, 3], new Float32Array(0)),
    prompt: 'pick up the red cube',
    step: new NpScalar('<i8', 42),
    temperature: new NpScalar('<f4', 2),
    done: new NpScalar('|b1', false),
  },
  scalars: {
    i1: new NpScalar('|i1', -5),
    u2: new NpScalar('<u2', 65535),
    i8: new NpScalar('<i8', -(2 ** 40)),
    u8: new NpScalar('<u8', 2n ** 64n - 1n),
    f4: new NpScalar('<f4', Math.fround(0.1)),
    f8: 0.1, // np.float64 is a float subclass: msgpack packs it as a plain float
    b1: new NpScalar('|b1', true),
    zero_d: new NdArray('<f4', [], f32([3.5])),
    plain_int: 7,
    big_int: 2 ** 40,
    plain_float: 0.5,
  },
  result: { result: { actions: new NdArray('<f4', [10, 7], Float32Array.from({ length: 70 }, (_, i) => Math.fround(i) / Math.fround(10))) } },
  'result-list': { result: [{ actions: new NdArray('<f8', [2, 3], new Float64Array(6).fill(1)) }, { actions: new NdArray('<f8', [2, 3], new Float64Array(6)) }] },
  'result-null': { result: null },
  'status-loading': { status: 'loading', message: 'Loading policy...' },
  'status-waiting': { status: 'waiting', message: 'Waiting for 1 active session(s) to finish...' },
  'status-ready': { status: 'ready', meta: { model_name: 'alpha', checkpoint_id: '100', action_horizon: 10 } },
  'status-error': { status: 'error', error: "Checkpoint not found: 999. Available: ['100', '200']" },
  'inference-error': { error: "KeyError: 'observation/state'" },
};

/** Compares decoded values, arrays by dtype, shape and exact bytes (NaN included). */
function comparable(value: unknown): unknown {
  if (value instanceof NdArray) return { dtype: value.dtype, shape: [...value.shape], bytes: Buffer.from(value.bytes()).toString('hex'), typed: value.data.constructor.name };
  if (value instanceof NpScalar) return { npgeneric: value.dtype, value: value.value };
  if (Array.isArray(value)) return value.map(comparable);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, comparable(item)]));
  return value;
}

describe('golden vectors from Python msgpack_numpy', () => {
  it('the manifest lists every expected vector', () => {
    expect(manifest.valid.sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.keys(EXPECTED))('%s: decodes to the expected values', (name) => {
    expect(comparable(decodeMessage(golden(name)))).toEqual(comparable(EXPECTED[name]));
  });

  it.each(Object.keys(EXPECTED))('%s: encoding the same values reproduces the Python bytes exactly', (name) => {
    expect(Buffer.from(encodeMessage(EXPECTED[name])).toString('hex')).toBe(Buffer.from(golden(name)).toString('hex'));
  });

  it('decoded arrays are the right typed arrays with the right elements', () => {
    const all = decodeMessage(golden('dtypes')) as Record<string, NdArray>;
    expect(all.i8?.data).toBeInstanceOf(BigInt64Array);
    expect(all.i8?.toArray()).toEqual([-(2n ** 63n), -1n, 2n ** 53n + 1n, 2n ** 63n - 1n]);
    expect(all.u8?.toArray()).toEqual([0n, 2n ** 64n - 1n]);
    expect(all.b1?.toArray()).toEqual([true, false, true]);
    expect(all.f4?.data).toBeInstanceOf(Float32Array);
    expect(Object.is(all.f4?.data[1], -0)).toBe(true);
    expect(all.f8?.toArray().slice(0, 3)).toEqual([Math.PI, -1e300, 5e-324]);
    const result = decodeMessage(golden('result')) as { result: { actions: NdArray } };
    expect(result.result.actions.shape).toEqual([10, 7]);
    expect(result.result.actions.data[13]).toBeCloseTo(1.3, 6);
  });

  it.each(Object.entries(manifest.malformed))('malformed-%s is rejected with %s', (name, code) => {
    let error: unknown;
    try {
      decodeMessage(golden(`malformed-${name}`));
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(HarnessError);
    expect((error as HarnessError).code).toBe(code);
  });
});
