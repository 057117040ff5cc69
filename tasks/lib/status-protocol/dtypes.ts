import { HarnessError } from '../errors/harness-error.ts';
import { MsgpackFloat } from './msgpack-float.ts';

/**
 * The numpy dtypes (`arr.dtype.str`) the policy protocol carries: little-endian or byte-order-free
 * ones only, like numpy produces on every machine a policy server runs on.
 */
export const DTYPES = {
  '|b1': { itemSize: 1, kind: 'bool', array: Uint8Array },
  '|i1': { itemSize: 1, kind: 'int', array: Int8Array },
  '|u1': { itemSize: 1, kind: 'uint', array: Uint8Array },
  '<i2': { itemSize: 2, kind: 'int', array: Int16Array },
  '<u2': { itemSize: 2, kind: 'uint', array: Uint16Array },
  '<i4': { itemSize: 4, kind: 'int', array: Int32Array },
  '<u4': { itemSize: 4, kind: 'uint', array: Uint32Array },
  '<i8': { itemSize: 8, kind: 'int', array: BigInt64Array },
  '<u8': { itemSize: 8, kind: 'uint', array: BigUint64Array },
  '<f4': { itemSize: 4, kind: 'float', array: Float32Array },
  '<f8': { itemSize: 8, kind: 'float', array: Float64Array },
} as const;

export type Dtype = keyof typeof DTYPES;
export type DtypeKind = (typeof DTYPES)[Dtype]['kind'];

/** The typed array holding each dtype's elements (over any ArrayBuffer). */
export interface DtypeArrays {
  '|b1': Uint8Array;
  '|i1': Int8Array;
  '|u1': Uint8Array;
  '<i2': Int16Array;
  '<u2': Uint16Array;
  '<i4': Int32Array;
  '<u4': Uint32Array;
  '<i8': BigInt64Array;
  '<u8': BigUint64Array;
  '<f4': Float32Array;
  '<f8': Float64Array;
}
export type TypedArrayFor<D extends Dtype> = DtypeArrays[D];
export type NumericTypedArray = DtypeArrays[Dtype];

export const SUPPORTED_DTYPES = Object.keys(DTYPES) as Dtype[];

/** Error codes of the msgpack/ndarray codec: every malformed input is rejected with one of these. */
export const CodecError = {
  /** The bytes are not one well-formed msgpack document. */
  decode: 'MSGPACK_DECODE',
  /** A map key that is neither str, bin, nor an integer (or a reserved one). */
  badKey: 'MSGPACK_BAD_KEY',
  /** A value the encoder cannot put on the wire. */
  unsupportedValue: 'MSGPACK_UNSUPPORTED_VALUE',
  /** `__ndarray__` map with a missing or mistyped field (data not bin, dtype not str…). */
  ndarrayMalformed: 'NDARRAY_MALFORMED',
  /** Shape is not a list of non-negative msgpack integers (a float there is an error upstream). */
  ndarrayBadShape: 'NDARRAY_BAD_SHAPE',
  /** `data` does not hold exactly prod(shape) × itemsize bytes. */
  ndarraySizeMismatch: 'NDARRAY_SIZE_MISMATCH',
  /** A dtype outside the supported list: big-endian (`>f4`), half floats (`<f2`), strings, objects. */
  unsupportedDtype: 'NDARRAY_UNSUPPORTED_DTYPE',
  /** `__ndarray__`/`__npgeneric__` sent as a str key: upstream decoders only look for bin keys. */
  strKeys: 'NDARRAY_STR_KEYS',
  /** `__npgeneric__` map with a missing or mistyped field. */
  npgenericMalformed: 'NPGENERIC_MALFORMED',
} as const;

export function codecError(code: string, message: string, evidence: Record<string, unknown> = {}): HarnessError {
  return new HarnessError(code, message, { evidence });
}

export function isDtype(value: unknown): value is Dtype {
  return typeof value === 'string' && Object.hasOwn(DTYPES, value);
}

/** Explains why a dtype string is not supported, naming the alternatives. */
export function requireDtype(value: unknown, where: string): Dtype {
  if (typeof value !== 'string') throw codecError(CodecError.ndarrayMalformed, `${where}: dtype must be a msgpack str such as "<f4", got ${describeWireValue(value)}`);
  if (isDtype(value)) return value;
  let why = 'it is not a numeric numpy dtype this protocol carries';
  if (value.startsWith('>')) why = 'it is big-endian; send little-endian data (arr.astype(arr.dtype.newbyteorder("<")))';
  else if (value === '<f2' || value === '>f2') why = 'half floats have no typed array here; send <f4';
  else if (/^[<>=|]?[UOSVcmMa]/.test(value)) why = 'strings, objects, complex, datetimes and records are not numeric arrays';
  throw codecError(CodecError.unsupportedDtype, `${where}: dtype ${JSON.stringify(value)} is not supported: ${why} (supported: ${SUPPORTED_DTYPES.join(' ')})`, { dtype: value, supported: SUPPORTED_DTYPES });
}

export function describeWireValue(value: unknown): string {
  if (value === null || value === undefined) return 'nil';
  if (value instanceof Uint8Array) return `bin(${value.byteLength} bytes)`;
  if (Array.isArray(value)) return `array(${value.length})`;
  if (value instanceof MsgpackFloat) return `float ${value.value}`;
  if (typeof value === 'object') return 'map';
  if (typeof value === 'string') return `str ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `${typeof value} ${String(value)}`;
}
