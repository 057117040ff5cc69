import { basename } from 'node:path';
import { didYouMean } from '../cli/did-you-mean.ts';
import { cliCommand } from '../cli/invocation.ts';
import { convert, type FlagSpec, type FlagValue } from '../cli/flag-spec.ts';
import { HarnessError, isHarnessError } from '../errors/harness-error.ts';

/** A config file's settings for one task: its flags by name (`"worker-cmd": "…"`), as on the command line. */
export type TaskSettings = Record<string, string | number | boolean | readonly string[]>;

/**
 * `hivecheck.config.{json,mjs,ts}`: per-task settings keyed by task name, plus `defaults` for the
 * flags every task understands (report, log-lines, state-dir, …). Flags on the command line
 * override it. The JSON Schema (hivecheck.config.schema.json) is made from the same flag tables.
 */
export interface HivecheckConfig {
  $schema?: string;
  defaults?: TaskSettings;
  [task: string]: TaskSettings | string | undefined;
}

/** Checked settings: values converted exactly as the same flags on the command line would be. */
export interface LoadedConfig {
  file: string;
  defaults: Record<string, FlagValue>;
  tasks: Record<string, Record<string, FlagValue>>;
}

/** What the checker needs to know of a task: its name and flags. */
export interface ConfigTask {
  name: string;
  flags: readonly FlagSpec[];
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function describeValue(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** Flags that make no sense in a file (they are questions, or name the file itself). */
const NOT_IN_CONFIG = new Set(['help', 'config']);

function settingError(file: string, path: string, message: string, hint?: string): HarnessError {
  return new HarnessError('CONFIG_INVALID', `${basename(file)}: ${path}: ${message}`, { kind: 'usage', hint: hint ?? `fix it in ${file}`, evidence: { file, keyPath: path } });
}

/** A value from the file, in the shapes the flag parser takes, then checked by the same code. */
function checkSetting(file: string, path: string, spec: FlagSpec, value: unknown): FlagValue {
  const wrongType = (expected: string): HarnessError => settingError(file, path, `expected ${expected}, got ${describeValue(value)}`);
  let raw: string | boolean | string[];
  if (spec.type === 'boolean') {
    if (typeof value !== 'boolean') throw wrongType('true or false');
    raw = value;
  } else if (spec.type === 'number') {
    if (typeof value !== 'number') throw wrongType(spec.integer ? 'a whole number' : 'a number');
    raw = String(value);
  } else if (spec.type === 'string') {
    if (typeof value !== 'string' && typeof value !== 'number') throw wrongType('a string');
    raw = String(value);
  } else {
    if (typeof value === 'string') raw = [value];
    else if (Array.isArray(value) && value.every((item) => typeof item === 'string')) raw = value;
    else throw wrongType('a string or an array of strings');
  }
  try {
    return convert(spec, raw);
  } catch (error) {
    if (!isHarnessError(error)) throw error;
    throw settingError(file, path, error.message.replace(`--${spec.name} `, ''));
  }
}

function checkSection(file: string, path: string, section: unknown, specs: readonly FlagSpec[], owner: string): Record<string, FlagValue> {
  if (!isPlainObject(section)) throw settingError(file, path, `expected an object of ${owner}'s settings, got ${describeValue(section)}`);
  const allowed = specs.filter((spec) => !NOT_IN_CONFIG.has(spec.name));
  const values: Record<string, FlagValue> = {};
  for (const [key, value] of Object.entries(section)) {
    const spec = allowed.find((candidate) => candidate.name === key);
    if (!spec) {
      const guess = didYouMean(key, allowed.map((candidate) => candidate.name));
      const hint = guess ? `rename it to "${guess}" in ${file}` : `the keys are ${owner}'s flags without "--" (${owner === 'every task' ? 'report, json, quiet, log-lines, state-dir' : cliCommand(`${owner} --help`)}); fix it in ${file}`;
      throw settingError(file, `${path}.${key}`, `unknown key: ${owner} has no such setting${guess ? ` (did you mean "${guess}"?)` : ''}`, hint);
    }
    values[key] = checkSetting(file, `${path}.${key}`, spec, value);
  }
  return values;
}

/**
 * Checks a config file's content against the tasks' flag tables: an unknown key, a wrong type or a
 * bad value is CONFIG_INVALID (exit 2) naming the file and the key path (`worker:test.timeout`).
 */
export function checkConfig(file: string, content: unknown, tasks: readonly ConfigTask[], commonFlags: readonly FlagSpec[]): LoadedConfig {
  if (!isPlainObject(content)) throw settingError(file, '(top level)', `expected an object keyed by task name, got ${describeValue(content)}`);
  const loaded: LoadedConfig = { file, defaults: {}, tasks: {} };
  for (const [key, section] of Object.entries(content)) {
    if (key === '$schema') {
      if (typeof section !== 'string') throw settingError(file, key, `expected a string, got ${describeValue(section)}`);
      continue;
    }
    if (key === 'defaults') {
      loaded.defaults = checkSection(file, key, section, commonFlags, 'every task');
      continue;
    }
    const task = tasks.find((candidate) => candidate.name === key);
    if (!task) {
      const guess = didYouMean(key, ['defaults', ...tasks.map((candidate) => candidate.name)]);
      throw settingError(file, key, `unknown key: not a task${guess ? ` (did you mean "${guess}"?)` : ''}`, guess ? `rename it to "${guess}" in ${file}` : `the top-level keys are $schema, defaults and task names (${cliCommand('help')}); fix it in ${file}`);
    }
    loaded.tasks[key] = checkSection(file, key, section, [...task.flags, ...commonFlags], key);
  }
  return loaded;
}

/** The base values for one task: `defaults`, then its own section (flags on the command line override both). */
export function settingsFor(config: LoadedConfig | undefined, task: string, specs: readonly FlagSpec[]): Record<string, FlagValue> {
  if (!config) return {};
  const names = new Set(specs.map((spec) => spec.name));
  const base: Record<string, FlagValue> = {};
  for (const [key, value] of Object.entries(config.defaults)) if (names.has(key)) base[key] = value;
  return { ...base, ...(config.tasks[task] ?? {}) };
}
