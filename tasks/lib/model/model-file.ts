import type { Stats } from 'node:fs';
import { open, readdir, stat, type FileHandle } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { HarnessError } from '../errors/harness-error.ts';
import {
  GGUF_DEFAULT_ALIGNMENT,
  GGUF_HEADER_BYTES,
  GGUF_MAGIC,
  GGUF_MAGIC_BYTES,
  GGUF_SCALAR_SIZES,
  GGUF_SUPPORTED_VERSIONS,
  GgufKey,
  GgufValueType,
  alignTo,
  ggmlTensorBytes,
} from './gguf-format.ts';

/** What the harness knows about a model file after reading its GGUF header and metadata. */
export interface ModelFileInfo {
  /** Absolute path. */
  path: string;
  sizeBytes: number;
  ggufVersion: number;
  /** `general.architecture`: `llama`, `qwen2`, … */
  architecture: string;
  tensorCount: number;
  metadataCount: number;
  /** `general.name`. */
  name?: string;
  /** `<arch>.vocab_size`, else the length of `tokenizer.ggml.tokens`. */
  vocabSize?: number;
  /** `<arch>.context_length`: the context the model was trained with. */
  contextLength?: number;
}

const READ_CHUNK = 1 << 20; // metadata is read 1 MB at a time: a real model's is a few MB at most
const MAX_KEY_BYTES = 1 << 16;
const MAX_STRING_BYTES = 1 << 28;
const MAX_COUNT = 1n << 32n;
const FIX_HINT = 'pass --model <path.gguf> with a valid GGUF model file, or omit --model to use the generated tiny model';

/** Thrown inside the parser when the file ends early; turned into MODEL_INVALID with context. */
class TruncatedError extends Error {}
class MalformedError extends Error {}

/** The parser needs bytes past the window read so far (the file has them): read more, parse again. */
class NeedMoreError extends Error {
  constructor(readonly end: number) {
    super(`need the file up to byte ${end}`);
  }
}

/**
 * Reads the start of a file, held in one buffer, for a synchronous parse: no promise per field
 * (thousands of awaits for a tokenizer's strings, each slowed by the run's async context tracking).
 * Past the window: `NeedMoreError` (the caller reads a larger window and parses again); past the
 * end of the file: `TruncatedError`.
 */
class WindowReader {
  readonly #window: Buffer;
  readonly size: number;
  /** Absolute offset of the next byte to parse. */
  position = 0;

  constructor(window: Buffer, size: number) {
    this.#window = window;
    this.size = size;
  }

  #ensure(bytes: number): void {
    const end = this.position + bytes;
    if (end > this.size) throw new TruncatedError();
    if (end > this.#window.length) throw new NeedMoreError(end);
  }

  take(bytes: number): Buffer {
    this.#ensure(bytes);
    const start = this.position;
    this.position += bytes;
    return this.#window.subarray(start, start + bytes);
  }

  skip(bytes: bigint): void {
    if (BigInt(this.position) + bytes > BigInt(this.size)) {
      this.position = this.size;
      throw new TruncatedError();
    }
    this.position += Number(bytes);
  }

  u32(): number {
    return this.take(4).readUInt32LE(0);
  }

  u64(): bigint {
    return this.take(8).readBigUInt64LE(0);
  }

  /** A GGUF string: decoded when `decode`, else skipped. */
  string(decode: boolean, limit = MAX_STRING_BYTES): string | undefined {
    const length = this.u64();
    if (length > BigInt(limit)) throw new MalformedError(`a string claims ${length} bytes`);
    if (!decode) {
      this.skip(length);
      return undefined;
    }
    return this.take(Number(length)).toString('utf8');
  }
}

/** Files inspected in this process, by absolute path, with the identity (inode, size, times) they had. */
const inspected = new Map<string, { identity: string; info: ModelFileInfo }>();

/** Reads the first `length` bytes of the file. */
async function readStart(handle: FileHandle, length: number): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(buffer, filled, length - filled, filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buffer.subarray(0, filled);
}

type ScalarValue = number | bigint | boolean | string | undefined;

function readScalar(reader: WindowReader, type: number, decode: boolean): ScalarValue {
  if (type === GgufValueType.STRING) return reader.string(decode);
  const size = GGUF_SCALAR_SIZES[type];
  if (size === undefined) throw new MalformedError(`unknown value type ${type}`);
  const bytes = reader.take(size);
  switch (type) {
    case GgufValueType.UINT8:
      return bytes.readUInt8(0);
    case GgufValueType.INT8:
      return bytes.readInt8(0);
    case GgufValueType.UINT16:
      return bytes.readUInt16LE(0);
    case GgufValueType.INT16:
      return bytes.readInt16LE(0);
    case GgufValueType.UINT32:
      return bytes.readUInt32LE(0);
    case GgufValueType.INT32:
      return bytes.readInt32LE(0);
    case GgufValueType.FLOAT32:
      return bytes.readFloatLE(0);
    case GgufValueType.BOOL:
      return bytes.readUInt8(0) !== 0;
    case GgufValueType.UINT64:
      return bytes.readBigUInt64LE(0);
    case GgufValueType.INT64:
      return bytes.readBigInt64LE(0);
    default:
      return bytes.readDoubleLE(0);
  }
}

/** Walks over an array value without keeping it; returns its length. */
function skipArray(reader: WindowReader): bigint {
  const itemType = reader.u32();
  const count = reader.u64();
  if (count > MAX_COUNT) throw new MalformedError(`an array claims ${count} items`);
  const size = GGUF_SCALAR_SIZES[itemType];
  if (size !== undefined) {
    reader.skip(count * BigInt(size));
  } else if (itemType === GgufValueType.STRING) {
    for (let i = 0n; i < count; i += 1n) reader.string(false);
  } else if (itemType === GgufValueType.ARRAY) {
    for (let i = 0n; i < count; i += 1n) skipArray(reader);
  } else {
    throw new MalformedError(`an array has items of unknown type ${itemType}`);
  }
  return count;
}

/** Keys whose values are kept (the architecture is not known until its key is read). */
function wanted(key: string): boolean {
  return key.startsWith('general.') || key.endsWith('.context_length') || key.endsWith('.vocab_size');
}

function hexAndText(bytes: Buffer): string {
  const hex = [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join(' ');
  const text = [...bytes].map((byte) => (byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '.')).join('');
  return `${hex} ('${text}')`;
}

/** A guess at what a non-GGUF file is, from its first bytes, to make the hint concrete. */
function recogniseNonGguf(head: Buffer): string | undefined {
  const text = head.toString('latin1');
  if (text.startsWith('version https://git-lfs')) return 'this is a Git LFS pointer, not the model: run `git lfs pull` (or download the file itself)';
  if (/^\s*<(!doctype|html|\?xml)/i.test(text)) return 'this is an HTML/XML page, not a model: the download probably hit a login or error page';
  if (/^\s*[{[]/.test(text)) return 'this is a JSON file, not a model';
  if (head.length >= 9 && head.readBigUInt64LE(0) < 100_000_000n && head[8] === 0x7b) return 'this looks like a safetensors file: convert it with llama.cpp (convert_hf_to_gguf.py)';
  if (head[0] === 0x50 && head[1] === 0x4b) return 'this is a zip archive (a PyTorch checkpoint?): convert it to GGUF with llama.cpp';
  if (head.subarray(0, 4).equals(Buffer.from('GGML')) || head.subarray(0, 4).equals(Buffer.from('ggjt')) || head.subarray(0, 4).equals(Buffer.from('tjgg'))) {
    return 'this is an old GGML-format model that current llama.cpp cannot load: get a GGUF version of it';
  }
  return undefined;
}

async function listGgufFiles(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((name) => name.toLowerCase().endsWith('.gguf')).sort();
  } catch {
    return [];
  }
}

async function nearestExistingParent(path: string): Promise<string | undefined> {
  let current = dirname(path);
  for (;;) {
    if (await stat(current).then((s) => s.isDirectory(), () => false)) return current;
    const parent = dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

/**
 * Reads the GGUF header and metadata (and the tensor index, to check the file is not cut short)
 * without loading the tensor data: cheap even for multi-GB models. Throws a `HarnessError` of
 * kind `environment`: MODEL_NOT_FOUND, MODEL_NOT_A_FILE, MODEL_NOT_READABLE or MODEL_INVALID.
 */
export async function inspectModelFile(given: string, options: { cwd?: string } = {}): Promise<ModelFileInfo> {
  const cwd = options.cwd ?? process.cwd();
  const absolute = resolve(cwd, given);
  // Messages name the path as the user wrote it and, when that was relative, where it led.
  const path = given === absolute ? given : `${given} (resolved from ${cwd} to ${absolute})`;
  const invalid = (message: string, evidence: Record<string, unknown> = {}, hint: string = FIX_HINT): HarnessError =>
    new HarnessError('MODEL_INVALID', `model file ${path} is not a usable GGUF model: ${message}`, { kind: 'environment', evidence: { path: absolute, ...evidence }, hint });

  let info: Stats;
  try {
    info = await stat(absolute);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      const parent = await nearestExistingParent(absolute);
      const nearby = parent === dirname(absolute) ? await listGgufFiles(parent) : [];
      throw new HarnessError('MODEL_NOT_FOUND', `model file ${path} does not exist`, {
        kind: 'environment',
        evidence: { path: absolute, given, cwd, nearestExistingDirectory: parent, ggufFilesThere: nearby.slice(0, 10) },
        hint: nearby.length > 0 ? `${FIX_HINT} (${dirname(absolute)} has: ${nearby.slice(0, 3).join(', ')})` : FIX_HINT,
      });
    }
    throw new HarnessError('MODEL_NOT_READABLE', `model file ${path} cannot be read (${code ?? (error as Error).message})`, {
      kind: 'environment',
      cause: error,
      evidence: { path: absolute },
      hint: 'check the permissions of the file and its directories',
    });
  }
  // The same unchanged file inspected again in this run (the generated model is checked when it is
  // ensured, then by the model-file check): the answer cannot differ.
  const identity = `${info.dev}:${info.ino}:${info.size}:${info.mtimeMs}:${info.ctimeMs}`;
  const known = inspected.get(absolute);
  if (known?.identity === identity) return { ...known.info };
  if (!info.isFile()) {
    const what = info.isDirectory() ? 'a directory' : 'not a regular file';
    const inside = info.isDirectory() ? await listGgufFiles(absolute) : [];
    throw new HarnessError('MODEL_NOT_A_FILE', `model path ${path} is ${what}, not a model file`, {
      kind: 'environment',
      evidence: { path: absolute, ggufFilesInside: inside.slice(0, 10) },
      hint: inside.length > 0 ? `pass one of the .gguf files inside it, e.g. --model ${resolve(absolute, inside[0] ?? '')}` : FIX_HINT,
    });
  }

  let handle: FileHandle;
  try {
    handle = await open(absolute, 'r');
  } catch (error) {
    throw new HarnessError('MODEL_NOT_READABLE', `model file ${path} cannot be opened (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, {
      kind: 'environment',
      cause: error,
      evidence: { path: absolute },
      hint: 'check the permissions of the file',
    });
  }

  /** The header, metadata and tensor index, from `reader`'s window (synchronous). */
  function parseGguf(): ModelFileInfo {
    const head = Buffer.from(reader.take(Math.min(64, info.size)));
    reader.position = 0;
    const magic = head.subarray(0, 4);
    if (!magic.equals(GGUF_MAGIC_BYTES)) {
      const guess = recogniseNonGguf(head);
      throw invalid(`magic bytes are ${hexAndText(magic)}, expected '${GGUF_MAGIC}'`, { firstBytes: hexAndText(head) }, guess ? `${guess}; ${FIX_HINT}` : FIX_HINT);
    }
    reader.position = 4;
    const version = reader.u32();
    if (!(GGUF_SUPPORTED_VERSIONS as readonly number[]).includes(version)) {
      const bigEndian = version > 0xffff && (version >>> 24) > 0 && (version & 0xffff) === 0;
      const detail = version === 1 ? 'GGUF version 1 (2023) is no longer supported' : bigEndian ? 'this looks like a big-endian GGUF file' : `GGUF version ${version} is not supported`;
      throw invalid(`${detail} (this harness reads versions ${GGUF_SUPPORTED_VERSIONS.join(' and ')})`, { ggufVersion: version }, `re-convert the model with a current llama.cpp, or ${FIX_HINT}`);
    }
    const tensorCount = reader.u64();
    const metadataCount = reader.u64();
    if (tensorCount > MAX_COUNT || metadataCount > MAX_COUNT) throw invalid(`the header claims ${tensorCount} tensors and ${metadataCount} metadata keys`);

    const values = new Map<string, ScalarValue>();
    let tokenCount: bigint | undefined;
    for (let index = 0; index < Number(metadataCount); index += 1) {
      reading = `metadata key #${index + 1} of ${metadataCount}`;
      const key = (reader.string(true, MAX_KEY_BYTES)) ?? '';
      reading = `metadata key #${index + 1} of ${metadataCount} ('${key}')`;
      const type = reader.u32();
      if (type === GgufValueType.ARRAY) {
        const count = skipArray(reader);
        if (key === GgufKey.tokens) tokenCount = count;
      } else {
        if (GGUF_SCALAR_SIZES[type] === undefined && type !== GgufValueType.STRING) throw new MalformedError(`unknown value type ${type}`);
        const value = readScalar(reader, type, wanted(key));
        if (wanted(key)) values.set(key, value);
      }
    }

    const architecture = values.get(GgufKey.architecture);
    if (typeof architecture !== 'string' || architecture === '') {
      throw invalid(architecture === undefined ? `there is no '${GgufKey.architecture}' in its ${metadataCount} metadata keys` : `'${GgufKey.architecture}' is not a string (${String(architecture)})`, {
        metadataCount: Number(metadataCount),
      });
    }

    // The tensor index: checks the data the file must hold is all there (a cut-off download).
    const alignmentValue = values.get(GgufKey.alignment);
    const alignment = typeof alignmentValue === 'number' && alignmentValue > 0 ? alignmentValue : GGUF_DEFAULT_ALIGNMENT;
    let dataBytes = 0n;
    for (let index = 0; index < Number(tensorCount); index += 1) {
      reading = `tensor info #${index + 1} of ${tensorCount}`;
      const name = (reader.string(true, MAX_KEY_BYTES)) ?? '';
      reading = `tensor info #${index + 1} of ${tensorCount} ('${name}')`;
      const dims = reader.u32();
      if (dims > 8) throw new MalformedError(`tensor '${name}' claims ${dims} dimensions`);
      let elements = 1n;
      for (let d = 0; d < dims; d += 1) elements *= reader.u64();
      const type = reader.u32();
      const offset = reader.u64();
      const bytes = ggmlTensorBytes(type, elements);
      if (bytes !== undefined && offset + bytes > dataBytes) dataBytes = offset + bytes;
    }
    const dataStart = alignTo(reader.position, alignment);
    const needed = BigInt(dataStart) + dataBytes;
    if (needed > BigInt(info.size)) {
      const percent = Math.floor((info.size / Number(needed)) * 100);
      throw invalid(`the file is truncated: its tensors need ${needed} bytes but it has ${info.size} (${percent}%)`, { expectedBytes: Number(needed), sizeBytes: info.size }, `the download or copy did not finish: fetch the file again, or ${FIX_HINT}`);
    }

    const name = values.get(GgufKey.name);
    const vocab = values.get(GgufKey.vocabSize(architecture));
    const context = values.get(GgufKey.contextLength(architecture));
    const asNumber = (value: ScalarValue): number | undefined => (typeof value === 'number' || typeof value === 'bigint' ? Number(value) : undefined);
    const result: ModelFileInfo = {
      path: absolute,
      sizeBytes: info.size,
      ggufVersion: version,
      architecture,
      tensorCount: Number(tensorCount),
      metadataCount: Number(metadataCount),
    };
    if (typeof name === 'string') result.name = name;
    const vocabSize = asNumber(vocab) ?? (tokenCount === undefined ? undefined : Number(tokenCount));
    if (vocabSize !== undefined) result.vocabSize = vocabSize;
    const contextLength = asNumber(context);
    if (contextLength !== undefined) result.contextLength = contextLength;
    inspected.set(absolute, { identity, info: { ...result } });
    return result;
  }

  let reading = 'the header';
  let reader = new WindowReader(Buffer.alloc(0), info.size);
  // The first MB holds a small model's metadata and tensor index; a larger one's is read again in a larger window.
  let windowBytes = Math.min(READ_CHUNK, info.size);
  try {
    if (info.size === 0) throw invalid('the file is empty (0 bytes)');
    if (info.size < GGUF_MAGIC_BYTES.length) throw invalid(`the file is only ${info.size} bytes long`);
    for (;;) {
      const window = await readStart(handle, windowBytes);
      // Fewer bytes than the size said: the file ends there (it shrank since the stat).
      reader = new WindowReader(window, window.length < windowBytes ? window.length : info.size);
      reading = 'the header';
      try {
        return parseGguf();
      } catch (error) {
        if (!(error instanceof NeedMoreError)) throw error;
        windowBytes = Math.min(info.size, Math.max(windowBytes * 2, error.end + READ_CHUNK));
      }
    }
  } catch (error) {
    if (error instanceof HarnessError) throw error;
    if (error instanceof TruncatedError) {
      throw invalid(`file ends at byte ${info.size} while reading ${reading}`, { sizeBytes: info.size, reading }, `the file is cut short (an unfinished download or copy?): fetch it again, or ${FIX_HINT}`);
    }
    if (error instanceof MalformedError) throw invalid(`${error.message} while reading ${reading} at byte ${reader.position}`, { reading, atByte: reader.position });
    throw new HarnessError('MODEL_NOT_READABLE', `model file ${path} could not be read: ${(error as Error).message}`, { kind: 'environment', cause: error, evidence: { path: absolute } });
  } finally {
    await handle.close();
  }
}
