import { NdArray } from './nd-array.ts';
import { NpScalar } from './np-scalar.ts';

/**
 * A decoded message made safe for a JSON report: arrays become `{ndarray, shape}` summaries,
 * bigints strings, bin `{bin: <bytes>}`, long strings and long lists are cut.
 */
export function toJsonSafe(value: unknown, depth = 0): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') return value.length > 500 ? `${value.slice(0, 500)}… [${value.length - 500} chars cut]` : value;
  if (typeof value !== 'object') return value;
  if (value instanceof NdArray || value instanceof NpScalar) return value.toJSON();
  if (value instanceof Uint8Array) return { bin: value.byteLength };
  if (depth >= 6) return '…';
  if (Array.isArray(value)) {
    const items = value.slice(0, 20).map((item) => toJsonSafe(item, depth + 1));
    if (value.length > 20) items.push(`… ${value.length - 20} more`);
    return items;
  }
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value).slice(0, 40)) out[key] = toJsonSafe(item, depth + 1);
  return out;
}

/** One line for a timeline: `{status: loading, message: "Loading policy..."}`. */
export function summarize(value: unknown, max = 160): string {
  let text: string;
  if (value instanceof NdArray || value instanceof NpScalar) text = value.describe();
  else text = JSON.stringify(toJsonSafe(value), (_, item: unknown) => (item && typeof item === 'object' && 'ndarray' in item && 'shape' in item ? `${String(item.ndarray)}[${String(item.shape)}]` : item)) ?? String(value);
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/**
 * A JSON text cut to about `max` characters at a field boundary: `{"a":1,"b":2, … 3 more fields}`,
 * never mid-key or mid-value. Text that is not a JSON object is cut with `…`.
 */
export function clipJsonText(text: string, max = 160): string {
  if (text.length <= max) return text;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return `${text.slice(0, max)}…`;
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return `${text.slice(0, max)}…`;
  const entries = Object.entries(value);
  const kept: string[] = [];
  let length = 2;
  for (const [key, item] of entries) {
    const field = `${JSON.stringify(key)}:${JSON.stringify(item)}`;
    if (kept.length > 0 && length + field.length + 1 > max) break;
    kept.push(field);
    length += field.length + 1;
  }
  const left = entries.length - kept.length;
  return `{${kept.join(',')}${left > 0 ? `, … ${left} more field${left === 1 ? '' : 's'}` : ''}}`;
}

/** What a decoded value is, in a few words: `ndarray <f4[10, 7]>`, `str "abc"`, `list of 3 (first: map with keys actions)`. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nil';
  if (value instanceof NdArray) return `ndarray ${value.describe()}`;
  if (value instanceof NpScalar) return `numpy scalar ${value.describe()}`;
  if (value instanceof Uint8Array) return `bin (${value.byteLength} bytes)`;
  if (typeof value === 'string') return `str ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'number' || typeof value === 'bigint') return `number ${String(value)}`;
  if (typeof value === 'boolean') return `bool ${String(value)}`;
  if (Array.isArray(value)) return value.length === 0 ? 'empty list' : `list of ${value.length} (first: ${describeValue(value[0])})`;
  if (typeof value === 'object') {
    const keys = Object.keys(value);
    return keys.length === 0 ? 'empty map' : `map with keys ${keys.slice(0, 5).join(', ')}${keys.length > 5 ? ', …' : ''}`;
  }
  return typeof value;
}
