import { endianness } from 'node:os';
import { isHarnessError } from '../errors/harness-error.ts';
import { CodecError, codecError, describeWireValue, DTYPES, requireDtype, type Dtype, type NumericTypedArray, type TypedArrayFor } from './dtypes.ts';
import { BIN_KEY_PREFIX, checkWire, createDecoder, createEncoder } from './msgpack-wire.ts';
import { MsgpackFloat } from './msgpack-float.ts';
import { NdArray } from './nd-array.ts';
import { NpScalar, type NpScalarValue } from './np-scalar.ts';

/**
 * The wire codec of the policy protocol: one msgpack document per frame, numpy arrays as
 * `msgpack_numpy` maps with bin keys. `encodeMessage` takes plain JS values plus `NdArray`,
 * `NpScalar` and typed arrays (a bare typed array is a 1-D ndarray, except `Uint8Array`, which
 * is raw bytes, msgpack bin, like Python `bytes`); `decodeMessage` returns the same shapes back.
 * Malformed input is rejected with a `HarnessError` whose code is one of `CodecError`.
 */

if (endianness() !== 'LE') throw new Error('the ndarray codec assumes a little-endian host (typed arrays use host byte order)');

const encoder = createEncoder();
const decoder = createDecoder();
checkWire(encoder, decoder);

const key = (name: string): string => `${BIN_KEY_PREFIX}${name}`;
const NDARRAY = key('__ndarray__');
const NPGENERIC = key('__npgeneric__');
const DATA = key('data');
const DTYPE = key('dtype');
const SHAPE = key('shape');

const INT32_MIN = -0x8000_0000;
const UINT32_MAX = 0xffff_ffff;
const INT64_MIN = -(2n ** 63n);
const UINT64_MAX = 2n ** 64n - 1n;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function at(path: string, name: string | number): string {
  return typeof name === 'number' ? `${path}[${name}]` : path ? `${path}.${name}` : name;
}

// ---------------------------------------------------------------- encode

/** Integers Python would pack as int64/uint64 must be bigints for the library to do the same. */
function wireInteger(value: number | bigint, path: string): number | bigint {
  if (typeof value === 'bigint') {
    if (value < INT64_MIN || value > UINT64_MAX) throw codecError(CodecError.unsupportedValue, `${path || 'value'}: ${value} does not fit in 64 bits`);
    return Number.isSafeInteger(Number(value)) && value >= INT32_MIN && value <= UINT32_MAX ? Number(value) : value;
  }
  return Number.isSafeInteger(value) && (value > UINT32_MAX || value < INT32_MIN) ? BigInt(value) : value;
}

function scalarData(scalar: NpScalar, path: string): unknown {
  const { kind } = DTYPES[scalar.dtype];
  const { value } = scalar;
  if (kind === 'bool') {
    if (typeof value !== 'boolean') throw codecError(CodecError.npgenericMalformed, `${path}: a |b1 scalar needs a boolean, got ${typeof value}`);
    return value;
  }
  if (kind === 'float') {
    if (typeof value !== 'number') throw codecError(CodecError.npgenericMalformed, `${path}: a ${scalar.dtype} scalar needs a number, got ${typeof value}`);
    return new MsgpackFloat(value);
  }
  if (typeof value === 'boolean' || (typeof value === 'number' && !Number.isInteger(value))) throw codecError(CodecError.npgenericMalformed, `${path}: a ${scalar.dtype} scalar needs an integer, got ${String(value)}`);
  return wireInteger(value, path);
}

function prepare(value: unknown, path: string, depth: number): unknown {
  if (depth > 64) throw codecError(CodecError.unsupportedValue, `${path}: nested deeper than 64 levels`);
  if (value === null || value === undefined || typeof value === 'boolean') return value ?? null;
  if (typeof value === 'string') {
    if (value.startsWith(BIN_KEY_PREFIX)) throw codecError(CodecError.unsupportedValue, `${path}: strings may not start with the reserved bin-key marker`);
    return value;
  }
  if (typeof value === 'number' || typeof value === 'bigint') return wireInteger(value, path);
  if (value instanceof MsgpackFloat) return value;
  if (value instanceof NdArray) return { [NDARRAY]: true, [DATA]: value.bytes(), [DTYPE]: value.dtype, [SHAPE]: value.shape.map((dim) => wireInteger(dim, path)) };
  if (value instanceof NpScalar) return { [NPGENERIC]: true, [DATA]: scalarData(value, path), [DTYPE]: value.dtype };
  if (value instanceof Uint8Array) return value;
  if (ArrayBuffer.isView(value)) {
    if (value instanceof DataView || value instanceof Uint8ClampedArray) throw codecError(CodecError.unsupportedValue, `${path}: ${value.constructor.name} has no numpy dtype; use an NdArray`);
    return prepare(NdArray.of(value as NumericTypedArray), path, depth);
  }
  if (Array.isArray(value)) return value.map((item, index) => prepare(item, at(path, index), depth + 1));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [name, item] of Object.entries(value)) {
      if (name.startsWith(BIN_KEY_PREFIX)) throw codecError(CodecError.badKey, `${at(path, name)}: keys may not start with the reserved bin-key marker`);
      out[name] = prepare(item, at(path, name), depth + 1);
    }
    return out;
  }
  throw codecError(CodecError.unsupportedValue, `${path || 'value'}: cannot encode a ${(value as object).constructor?.name ?? typeof value}`);
}

/** One msgpack document, byte for byte what upstream `msgpack_numpy.packb` makes of the same values. */
export function encodeMessage(value: unknown): Uint8Array {
  return encoder.encode(prepare(value, '', 0));
}

// ---------------------------------------------------------------- decode

function field(map: Record<string, unknown>, name: string): unknown {
  return Object.hasOwn(map, key(name)) ? map[key(name)] : undefined;
}

function decodeShape(raw: unknown, where: string): number[] {
  if (!Array.isArray(raw)) throw codecError(CodecError.ndarrayBadShape, `${where}: shape must be a msgpack array of integers, got ${describeWireValue(raw)}`);
  return raw.map((dim: unknown, index) => {
    if (dim instanceof MsgpackFloat) throw codecError(CodecError.ndarrayBadShape, `${where}: shape[${index}] is the float ${dim.value}; shape entries must be msgpack integers (upstream servers reject floats)`, { shape: raw.map(String) });
    const n = typeof dim === 'bigint' ? Number(dim) : dim;
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) throw codecError(CodecError.ndarrayBadShape, `${where}: shape[${index}] must be a non-negative integer, got ${describeWireValue(dim)}`);
    return n;
  });
}

function decodeNdarray(map: Record<string, unknown>, where: string): NdArray {
  if (field(map, '__ndarray__') !== true) throw codecError(CodecError.ndarrayMalformed, `${where}: __ndarray__ must be true, got ${describeWireValue(field(map, '__ndarray__'))}`);
  const data = field(map, 'data');
  if (!(data instanceof Uint8Array)) throw codecError(CodecError.ndarrayMalformed, `${where}: data must be msgpack bin (arr.tobytes()), got ${describeWireValue(data)}`);
  const dtype = requireDtype(field(map, 'dtype'), where);
  const shape = decodeShape(field(map, 'shape'), where);
  const { itemSize, array } = DTYPES[dtype];
  const elements = shape.reduce((product, dim) => product * dim, 1);
  if (data.byteLength !== elements * itemSize) {
    throw codecError(CodecError.ndarraySizeMismatch, `${where}: ${dtype} shape [${shape.join(', ')}] needs ${elements * itemSize} bytes, data has ${data.byteLength}`, { dtype, shape, bytes: data.byteLength });
  }
  const copy = new ArrayBuffer(data.byteLength); // aligned, and independent of the frame buffer
  new Uint8Array(copy).set(data);
  return new NdArray(dtype, shape, new array(copy) as TypedArrayFor<Dtype>);
}

function decodeNpGeneric(map: Record<string, unknown>, where: string): NpScalar {
  if (field(map, '__npgeneric__') !== true) throw codecError(CodecError.npgenericMalformed, `${where}: __npgeneric__ must be true, got ${describeWireValue(field(map, '__npgeneric__'))}`);
  if (!Object.hasOwn(map, DATA)) throw codecError(CodecError.npgenericMalformed, `${where}: __npgeneric__ map has no data`);
  let dtype: Dtype;
  try {
    dtype = requireDtype(field(map, 'dtype'), where);
  } catch (error) {
    if (isHarnessError(error) && error.code === CodecError.ndarrayMalformed) throw codecError(CodecError.npgenericMalformed, error.message);
    throw error;
  }
  const raw = field(map, 'data');
  const { kind } = DTYPES[dtype];
  let value: NpScalarValue | undefined;
  if (kind === 'bool' && typeof raw === 'boolean') value = raw;
  else if (kind === 'float' && (raw instanceof MsgpackFloat || typeof raw === 'number')) value = raw instanceof MsgpackFloat ? raw.value : raw;
  else if ((kind === 'int' || kind === 'uint') && (typeof raw === 'number' || typeof raw === 'bigint')) value = typeof raw === 'bigint' && Number.isSafeInteger(Number(raw)) ? Number(raw) : raw;
  if (value === undefined) throw codecError(CodecError.npgenericMalformed, `${where}: a ${dtype} scalar cannot hold ${describeWireValue(raw)}`);
  return new NpScalar(dtype, value);
}

function revive(value: unknown, path: string): unknown {
  if (value instanceof MsgpackFloat) return value.value;
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value;
  if (value instanceof Uint8Array) return value.slice();
  if (Array.isArray(value)) return value.map((item, index) => revive(item, at(path, index)));
  if (!isPlainObject(value)) return value;
  const where = path || 'the message';
  if (Object.hasOwn(value, NDARRAY)) return decodeNdarray(value, where);
  if (Object.hasOwn(value, NPGENERIC)) return decodeNpGeneric(value, where);
  if (Object.hasOwn(value, '__ndarray__') || Object.hasOwn(value, '__npgeneric__')) {
    throw codecError(CodecError.strKeys, `${where}: "__ndarray__"/"__npgeneric__" came as a str key; msgpack_numpy uses bin keys (b"__ndarray__"), so upstream peers would not see an array here`);
  }
  const out: Record<string, unknown> = {};
  for (const [rawName, item] of Object.entries(value)) {
    const name = rawName.startsWith(BIN_KEY_PREFIX) ? rawName.slice(BIN_KEY_PREFIX.length) : rawName;
    if (name === '__proto__' || Object.hasOwn(out, name)) throw codecError(CodecError.badKey, `${where}: key ${JSON.stringify(name)} is reserved or appears both as str and bin`);
    out[name] = revive(item, at(path, name));
  }
  return out;
}

/** Decodes one frame: arrays become `NdArray`, numpy scalars `NpScalar`, bin stays `Uint8Array`. */
export function decodeMessage(bytes: Uint8Array): unknown {
  let raw: unknown;
  try {
    raw = decoder.decode(bytes);
  } catch (error) {
    if (isHarnessError(error)) throw error;
    throw codecError(CodecError.decode, `not a msgpack document (${bytes.byteLength} bytes): ${(error as Error).message}`, { bytes: bytes.byteLength, head: Buffer.from(bytes.subarray(0, 16)).toString('hex') });
  }
  return revive(raw, '');
}
