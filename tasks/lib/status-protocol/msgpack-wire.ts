import { DecodeError, Decoder, Encoder } from '@msgpack/msgpack';
import { CodecError, codecError } from './dtypes.ts';
import { MsgpackFloat } from './msgpack-float.ts';

/**
 * The two things the policy protocol needs from msgpack that `@msgpack/msgpack` (v3) does not
 * expose as options, added by wrapping two of its per-instance methods (all bytes are still
 * written by the library):
 * - **bin map keys on encode**: a plain-object key that starts with `BIN_KEY_PREFIX` is written
 *   as msgpack bin (the library writes every object key through `encodeString`);
 * - **floats stay floats**: a `MsgpackFloat` is written as float 64 even when integral, and the
 *   decoder returns every float it reads as a `MsgpackFloat`, so a float shape entry is visible.
 * On decode, bin map keys come through the documented `mapKeyConverter` option and get the same
 * prefix. `checkWire()` verifies the hooks at load time, so a library upgrade that renames the
 * internals fails loudly instead of silently emitting str keys.
 */
export const BIN_KEY_PREFIX = '\u0000bin:';

const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

interface EncoderInternals {
  encodeString(value: string): void;
  encodeBinary(value: Uint8Array): void;
  encodeObject(value: unknown, depth: number): void;
  encodeNumberAsFloat(value: number): void;
}

interface DecoderInternals {
  readF32(): unknown;
  readF64(): unknown;
}

function internals<T>(instance: object, names: readonly (keyof T & string)[]): T {
  const record = instance as Record<string, unknown>;
  for (const name of names) {
    if (typeof record[name] !== 'function') throw new Error(`@msgpack/msgpack has no ${instance.constructor.name}#${name}: the bin-key/float hooks of msgpack-wire.ts need updating for this version`);
  }
  return instance as T;
}

export function createEncoder(): Encoder {
  const encoder = new Encoder({ useBigInt64: true });
  const hooks = internals<EncoderInternals>(encoder, ['encodeString', 'encodeBinary', 'encodeObject', 'encodeNumberAsFloat']);
  const encodeString = hooks.encodeString.bind(encoder);
  const encodeObject = hooks.encodeObject.bind(encoder);
  hooks.encodeString = (value) => (value.startsWith(BIN_KEY_PREFIX) ? hooks.encodeBinary(utf8.encode(value.slice(BIN_KEY_PREFIX.length))) : encodeString(value));
  hooks.encodeObject = (value, depth) => (value instanceof MsgpackFloat ? hooks.encodeNumberAsFloat(value.value) : encodeObject(value, depth));
  return encoder;
}

function convertKey(key: unknown): string | number {
  if (typeof key === 'string') {
    if (key.startsWith(BIN_KEY_PREFIX)) throw codecError(CodecError.badKey, 'a str map key starts with the reserved bin-key marker');
    return key;
  }
  if (typeof key === 'number') return key;
  if (key instanceof Uint8Array) {
    try {
      return `${BIN_KEY_PREFIX}${strictUtf8.decode(key)}`;
    } catch {
      throw codecError(CodecError.badKey, `a bin map key is not UTF-8 (${key.byteLength} bytes)`);
    }
  }
  if (key instanceof MsgpackFloat) return key.value;
  if (typeof key === 'bigint') return key.toString();
  throw new DecodeError(`map keys must be str, bin or integers, got ${key === null ? 'nil' : typeof key}`);
}

export function createDecoder(): Decoder {
  const decoder = new Decoder({ useBigInt64: true, mapKeyConverter: convertKey });
  const hooks = internals<DecoderInternals>(decoder, ['readF32', 'readF64']);
  const readF32 = hooks.readF32.bind(decoder);
  const readF64 = hooks.readF64.bind(decoder);
  hooks.readF32 = () => new MsgpackFloat(readF32() as number);
  hooks.readF64 = () => new MsgpackFloat(readF64() as number);
  return decoder;
}

/** Encodes `{bin"k": 1.0}` and decodes it back; throws if the hooks no longer take effect. */
export function checkWire(encoder: Encoder, decoder: Decoder): void {
  const bytes = encoder.encode({ [`${BIN_KEY_PREFIX}k`]: new MsgpackFloat(1) });
  const expected = [0x81, 0xc4, 0x01, 0x6b, 0xcb, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0];
  const back = decoder.decode(bytes) as Record<string, unknown>;
  if (bytes.length !== expected.length || bytes.some((byte, i) => byte !== expected[i]) || !(back[`${BIN_KEY_PREFIX}k`] instanceof MsgpackFloat)) {
    throw new Error('@msgpack/msgpack hooks for bin keys and floats did not take effect (msgpack-wire.ts needs updating for this library version)');
  }
}
