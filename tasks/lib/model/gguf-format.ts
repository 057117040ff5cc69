/**
 * GGUF, the model file format of llama.cpp (https://github.com/ggml-org/ggml/blob/master/docs/gguf.md).
 *
 * Layout (little endian):
 *   magic "GGUF" · u32 version · u64 tensor_count · u64 metadata_kv_count
 *   metadata_kv_count × (string key · u32 value_type · value)
 *   tensor_count × (string name · u32 n_dims · n_dims × u64 ne · u32 ggml_type · u64 offset)
 *   padding to `general.alignment` (default 32) · tensor data (each tensor aligned the same way)
 * A string is a u64 byte length followed by UTF-8 bytes; an array is u32 item type · u64 count · items.
 * Version 1 used u32 counts and lengths; versions 2 and 3 (3 only adds big-endian files) use u64.
 */

/** The four bytes every GGUF file starts with. */
export const GGUF_MAGIC = 'GGUF';
export const GGUF_MAGIC_BYTES = Buffer.from(GGUF_MAGIC, 'latin1');
/** The versions this harness reads. */
export const GGUF_SUPPORTED_VERSIONS = [2, 3] as const;
export const GGUF_LATEST_VERSION = 3;
export const GGUF_DEFAULT_ALIGNMENT = 32;
/** magic + version + tensor count + metadata count. */
export const GGUF_HEADER_BYTES = 4 + 4 + 8 + 8;

/** Type ids of metadata values. */
export const GgufValueType = {
  UINT8: 0,
  INT8: 1,
  UINT16: 2,
  INT16: 3,
  UINT32: 4,
  INT32: 5,
  FLOAT32: 6,
  BOOL: 7,
  STRING: 8,
  ARRAY: 9,
  UINT64: 10,
  INT64: 11,
  FLOAT64: 12,
} as const;
export type GgufValueTypeId = (typeof GgufValueType)[keyof typeof GgufValueType];

/** Byte size of the fixed-size value types (strings and arrays are variable). */
export const GGUF_SCALAR_SIZES: Readonly<Partial<Record<number, number>>> = {
  [GgufValueType.UINT8]: 1,
  [GgufValueType.INT8]: 1,
  [GgufValueType.UINT16]: 2,
  [GgufValueType.INT16]: 2,
  [GgufValueType.UINT32]: 4,
  [GgufValueType.INT32]: 4,
  [GgufValueType.FLOAT32]: 4,
  [GgufValueType.BOOL]: 1,
  [GgufValueType.UINT64]: 8,
  [GgufValueType.INT64]: 8,
  [GgufValueType.FLOAT64]: 8,
};

export function ggufValueTypeName(type: number): string {
  const entry = Object.entries(GgufValueType).find(([, id]) => id === type);
  return entry ? entry[0] : `unknown(${type})`;
}

/** ggml tensor type ids (ggml.h `enum ggml_type`) with the ones this harness needs to size. */
export const GgmlType = {
  F32: 0,
  F16: 1,
  Q4_0: 2,
  Q4_1: 3,
  Q5_0: 6,
  Q5_1: 7,
  Q8_0: 8,
  Q8_1: 9,
  Q2_K: 10,
  Q3_K: 11,
  Q4_K: 12,
  Q5_K: 13,
  Q6_K: 14,
  Q8_K: 15,
  IQ2_XXS: 16,
  IQ2_XS: 17,
  IQ3_XXS: 18,
  IQ1_S: 19,
  IQ4_NL: 20,
  IQ3_S: 21,
  IQ2_S: 22,
  IQ4_XS: 23,
  I8: 24,
  I16: 25,
  I32: 26,
  I64: 27,
  F64: 28,
  IQ1_M: 29,
  BF16: 30,
  TQ1_0: 34,
  TQ2_0: 35,
  MXFP4: 39,
} as const;
export type GgmlTypeId = (typeof GgmlType)[keyof typeof GgmlType];

/**
 * Elements per block and bytes per block of each tensor type (ggml's `type_traits`), so the
 * size of a tensor's data can be computed from its shape: bytes = n_elements / block × typeSize.
 */
export const GGML_TYPE_SIZES: Readonly<Partial<Record<number, { blockSize: number; typeSize: number }>>> = {
  [GgmlType.F32]: { blockSize: 1, typeSize: 4 },
  [GgmlType.F16]: { blockSize: 1, typeSize: 2 },
  [GgmlType.Q4_0]: { blockSize: 32, typeSize: 18 },
  [GgmlType.Q4_1]: { blockSize: 32, typeSize: 20 },
  [GgmlType.Q5_0]: { blockSize: 32, typeSize: 22 },
  [GgmlType.Q5_1]: { blockSize: 32, typeSize: 24 },
  [GgmlType.Q8_0]: { blockSize: 32, typeSize: 34 },
  [GgmlType.Q8_1]: { blockSize: 32, typeSize: 36 },
  [GgmlType.Q2_K]: { blockSize: 256, typeSize: 84 },
  [GgmlType.Q3_K]: { blockSize: 256, typeSize: 110 },
  [GgmlType.Q4_K]: { blockSize: 256, typeSize: 144 },
  [GgmlType.Q5_K]: { blockSize: 256, typeSize: 176 },
  [GgmlType.Q6_K]: { blockSize: 256, typeSize: 210 },
  [GgmlType.Q8_K]: { blockSize: 256, typeSize: 292 },
  [GgmlType.IQ2_XXS]: { blockSize: 256, typeSize: 66 },
  [GgmlType.IQ2_XS]: { blockSize: 256, typeSize: 74 },
  [GgmlType.IQ3_XXS]: { blockSize: 256, typeSize: 98 },
  [GgmlType.IQ1_S]: { blockSize: 256, typeSize: 50 },
  [GgmlType.IQ4_NL]: { blockSize: 32, typeSize: 18 },
  [GgmlType.IQ3_S]: { blockSize: 256, typeSize: 110 },
  [GgmlType.IQ2_S]: { blockSize: 256, typeSize: 82 },
  [GgmlType.IQ4_XS]: { blockSize: 256, typeSize: 136 },
  [GgmlType.I8]: { blockSize: 1, typeSize: 1 },
  [GgmlType.I16]: { blockSize: 1, typeSize: 2 },
  [GgmlType.I32]: { blockSize: 1, typeSize: 4 },
  [GgmlType.I64]: { blockSize: 1, typeSize: 8 },
  [GgmlType.F64]: { blockSize: 1, typeSize: 8 },
  [GgmlType.IQ1_M]: { blockSize: 256, typeSize: 56 },
  [GgmlType.BF16]: { blockSize: 1, typeSize: 2 },
  [GgmlType.TQ1_0]: { blockSize: 256, typeSize: 54 },
  [GgmlType.TQ2_0]: { blockSize: 256, typeSize: 66 },
  [GgmlType.MXFP4]: { blockSize: 32, typeSize: 17 },
};

/** Bytes of data of a tensor of `type` with `elements` elements, or undefined for unknown types. */
export function ggmlTensorBytes(type: number, elements: bigint): bigint | undefined {
  const size = GGML_TYPE_SIZES[type];
  if (!size) return undefined;
  return (elements / BigInt(size.blockSize)) * BigInt(size.typeSize);
}

/** Metadata keys the harness reads. `{arch}` is the value of `general.architecture`. */
export const GgufKey = {
  architecture: 'general.architecture',
  name: 'general.name',
  alignment: 'general.alignment',
  fileType: 'general.file_type',
  tokens: 'tokenizer.ggml.tokens',
  vocabSize: (arch: string) => `${arch}.vocab_size`,
  contextLength: (arch: string) => `${arch}.context_length`,
} as const;

export function alignTo(offset: number, alignment: number): number {
  return Math.ceil(offset / alignment) * alignment;
}
