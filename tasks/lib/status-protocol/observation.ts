import { HarnessError } from '../errors/harness-error.ts';
import { describeValue, toJsonSafe } from './json-safe.ts';
import { NdArray } from './nd-array.ts';

/** An openpi-style observation: an 8-D float32 state, a small uint8 image and a prompt. */
export function defaultObservation(step = 0): Record<string, unknown> {
  const state = Float32Array.from({ length: 8 }, (_, i) => i * 0.1 + step * 0.01);
  const image = new Uint8Array(32 * 32 * 3).fill(128);
  return { 'observation/state': NdArray.of(state), 'observation/image': new NdArray('|u1', [32, 32, 3], image), prompt: 'hivecheck: pick up the cube' };
}

export interface ResultArray {
  path: string;
  array: NdArray;
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof NdArray) && !(value instanceof Uint8Array);
}

function collect(value: unknown, path: string, out: ResultArray[]): void {
  if (value instanceof NdArray) out.push({ path, array: value });
  else if (Array.isArray(value)) value.forEach((item, index) => collect(item, `${path}[${index}]`, out));
  else if (isMap(value)) for (const [key, item] of Object.entries(value)) collect(item, path ? `${path}.${key}` : key, out);
}

/**
 * Judges an inference result: an action map (or a list of them) whose arrays decode, are not
 * empty, hold finite numbers and, when the ready meta names `action_horizon`/`action_dim`, have
 * an `actions` array of that shape. Returns the arrays and a one-line description.
 */
export function inspectResult(result: unknown, meta: Record<string, unknown>): { arrays: ResultArray[]; detail: string } {
  const fail = (code: string, message: string): never => {
    throw new HarnessError(code, message, { evidence: { result: toJsonSafe(result) } });
  };
  if (result === null || result === undefined) fail('RESULT_EMPTY', 'the result is null: the server returned no actions for a valid observation');
  if (!isMap(result) && !(Array.isArray(result) && result.every(isMap))) {
    const wrap = result instanceof NdArray ? ': wrap the array in a map, {"result": {"actions": <array>}}' : '';
    fail('RESULT_MALFORMED', `the result must be an action map ({"actions": <ndarray>, ...}) or a list of them, got ${describeValue(result)}${wrap}`);
  }
  const arrays: ResultArray[] = [];
  collect(result, '', arrays);
  if (arrays.length === 0) fail('RESULT_NO_ARRAYS', 'the result holds no numeric arrays');
  for (const { path, array } of arrays) {
    if (array.size === 0) fail('RESULT_EMPTY_ARRAY', `${path} is empty (${array.describe()})`);
    if (array.data instanceof Float32Array || array.data instanceof Float64Array) {
      const bad = array.data.findIndex((value) => !Number.isFinite(value));
      if (bad >= 0) fail('RESULT_NOT_FINITE', `${path} (${array.describe()}) holds ${array.data[bad]} at flat index ${bad}`);
    }
  }
  const horizon = typeof meta.action_horizon === 'number' ? meta.action_horizon : undefined;
  const dim = typeof meta.action_dim === 'number' ? meta.action_dim : undefined;
  const shapes = arrays.map(({ path, array }) => `${path} ${array.describe()}`).join(', ');
  if (horizon === undefined && dim === undefined) return { arrays, detail: shapes };
  const actions = arrays.filter(({ path }) => path === 'actions' || path.endsWith('.actions'));
  if (actions.length === 0) fail('RESULT_SHAPE_MISMATCH', `the ready meta names action_horizon/action_dim but the result has no actions array (${shapes})`);
  for (const { path, array } of actions) {
    if ((horizon !== undefined && array.shape[0] !== horizon) || (dim !== undefined && array.shape[array.shape.length - 1] !== dim)) {
      fail('RESULT_SHAPE_MISMATCH', `${path} is ${array.describe()}, but the ready meta says action_horizon ${horizon ?? '?'} × action_dim ${dim ?? '?'}`);
    }
  }
  return { arrays, detail: `${shapes} (matches meta action_horizon ${horizon ?? '-'} × action_dim ${dim ?? '-'})` };
}
