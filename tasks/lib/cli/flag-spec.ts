import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { usageError } from '../errors/harness-error.ts';

/** `list`: repeatable and comma-separated (`--backend cpu,cuda`); `strings`: repeatable, taken verbatim. */
export type FlagType = 'string' | 'number' | 'boolean' | 'list' | 'strings';
export type FlagValue = string | number | boolean | string[] | undefined;

export interface FlagSpec {
  name: string;
  type: FlagType;
  description: string;
  /** The default, shown in help. A function computes it at parse time (a fresh uuid). */
  default?: Exclude<FlagValue, undefined> | (() => Exclude<FlagValue, undefined>);
  /** How the default reads in help when it is computed: `test-worker-<uuid v4>`. */
  defaultLabel?: string;
  /** Placeholder in help: `--model <path>`. */
  valueName?: string;
  choices?: readonly string[];
  min?: number;
  max?: number;
  integer?: boolean;
  /**
   * A secret (an API key, a token): its value is masked in all output, and it can come from outside
   * the command line, where npm's echo of the command and `ps` would show it: from the environment
   * variable `env`, or from the file named by the flag `file` (its first line). The flag wins over
   * the file, the file over the environment.
   */
  secret?: { env: string; file: string };
}

/** Where a secret flag's value came from: the command line, the config file, a file, or the environment. */
export type SecretSource = 'flag' | 'config' | 'file' | 'env';

/** Parsed flags with typed accessors that throw a usage error on misuse by the task author. */
export class Flags {
  constructor(
    readonly values: Readonly<Record<string, FlagValue>>,
    /** Secret flags that have a value, and where it came from (the values are in `values`). */
    readonly secretSources: Readonly<Record<string, SecretSource>> = {},
    /** Words after `--`, for a task that passes them on to another program (`features -- --shard 1/2`). */
    readonly rest: readonly string[] = [],
    /** Words that are not flags (only for a task that takes them, e.g. merge-reports' folders, fleet's `-- <task> …`). */
    readonly positionals: readonly string[] = [],
  ) {}

  /** The values of every secret flag given (to be masked wherever output is printed). */
  get secrets(): string[] {
    return Object.keys(this.secretSources).map((name) => this.values[name]).filter((value): value is string => typeof value === 'string' && value !== '');
  }

  has(name: string): boolean {
    return this.values[name] !== undefined;
  }

  string(name: string): string {
    const value = this.values[name];
    if (typeof value !== 'string') throw usageError(`--${name} is required`, undefined, 'FLAG_REQUIRED');
    return value;
  }

  optionalString(name: string): string | undefined {
    const value = this.values[name];
    return typeof value === 'string' ? value : undefined;
  }

  number(name: string): number {
    const value = this.values[name];
    if (typeof value !== 'number') throw usageError(`--${name} is required`, undefined, 'FLAG_REQUIRED');
    return value;
  }

  optionalNumber(name: string): number | undefined {
    const value = this.values[name];
    return typeof value === 'number' ? value : undefined;
  }

  boolean(name: string): boolean {
    return this.values[name] === true;
  }

  list(name: string): string[] {
    const value = this.values[name];
    return Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
  }
}

/** One flag's raw value (argv strings, or a config file's value in the same shapes) checked and converted. */
export function convert(spec: FlagSpec, raw: string | boolean | (string | boolean)[]): FlagValue {
  if (spec.type === 'boolean') return raw === true;
  const last = Array.isArray(raw) ? raw[raw.length - 1] : raw;
  if (spec.type === 'strings') return (Array.isArray(raw) ? raw : [raw]).map(String);
  if (spec.type === 'list') {
    const items = (Array.isArray(raw) ? raw : [raw]).flatMap((item) => String(item).split(',')).map((item) => item.trim()).filter(Boolean);
    if (items.length === 0) throw usageError(`--${spec.name} needs at least one value`, undefined, 'BAD_FLAG_VALUE');
    for (const item of items) checkChoice(spec, item);
    return items;
  }
  const text = String(last);
  if (spec.type === 'number') {
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value)) throw usageError(`--${spec.name} expects a number, got '${text}'`, undefined, 'BAD_FLAG_VALUE');
    if (spec.integer && !Number.isInteger(value)) throw usageError(`--${spec.name} expects a whole number, got '${text}'`, undefined, 'BAD_FLAG_VALUE');
    if (spec.min !== undefined && value < spec.min) throw usageError(`--${spec.name} must be at least ${spec.min}, got ${value}`, undefined, 'BAD_FLAG_VALUE');
    if (spec.max !== undefined && value > spec.max) throw usageError(`--${spec.name} must be at most ${spec.max}, got ${value}`, undefined, 'BAD_FLAG_VALUE');
    return value;
  }
  checkChoice(spec, text);
  return text;
}

function checkChoice(spec: FlagSpec, value: string): void {
  if (spec.choices && !spec.choices.includes(value)) throw usageError(`--${spec.name} must be one of ${spec.choices.join(', ')}; got '${value}'`, undefined, 'BAD_FLAG_VALUE');
}

/** Reads a secret from the file a `--<name>-file` flag names (relative to `cwd`): its first line, trimmed. */
function readSecretFile(spec: FlagSpec, fileFlag: string, path: string, cwd: string): string {
  const full = resolve(cwd, path);
  let text: string;
  try {
    text = readFileSync(full, 'utf8');
  } catch (error) {
    throw usageError(`--${fileFlag} ${path}: cannot read ${full} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, `name a readable file holding the ${spec.valueName ?? 'value'} of --${spec.name} on its first line`, 'SECRET_FILE_UNREADABLE');
  }
  const value = (text.split(/\r?\n/)[0] ?? '').trim();
  if (value === '') throw usageError(`--${fileFlag} ${path}: the first line of ${full} is empty`, `write the ${spec.valueName ?? 'value'} of --${spec.name} on the file's first line`, 'SECRET_FILE_EMPTY');
  return value;
}

/** Where parseFlags reads values from beyond `argv`: the config file's settings, the environment, and the directory file paths resolve from. */
export interface FlagSources {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Values already checked (a config file's): a flag given in `argv` overrides its base value, and a base value overrides the default. */
  base?: Readonly<Record<string, FlagValue>>;
  /** Words after `--`, passed on by the task. */
  rest?: readonly string[];
  /** The task takes words that are not flags (else a stray word is a usage error). */
  allowPositionals?: boolean;
}

/**
 * Parses `argv` against `specs` with node's strict parser; unknown flags and stray words are usage
 * errors. A value missing from `argv` comes from `sources.base` (the config file), else the default.
 * A secret flag not given either way takes its value from its file flag, else from its environment variable.
 */
export function parseFlags(argv: readonly string[], specs: readonly FlagSpec[], sources: FlagSources = {}): Flags {
  const base = sources.base ?? {};
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }> = {};
  for (const spec of specs) options[spec.name] = spec.type === 'list' || spec.type === 'strings' ? { type: 'string', multiple: true } : { type: spec.type === 'boolean' ? 'boolean' : 'string' };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: sources.allowPositionals ?? false });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? 'UNKNOWN_FLAG' : 'BAD_FLAGS';
    throw usageError((error as Error).message.replace(/\. To specify a positional argument.*$/s, ''), undefined, code);
  }
  const values: Record<string, FlagValue> = {};
  for (const spec of specs) {
    const raw = parsed.values[spec.name];
    if (raw !== undefined) values[spec.name] = convert(spec, raw as string | boolean | (string | boolean)[]);
    else if (base[spec.name] !== undefined) values[spec.name] = base[spec.name];
    else if (spec.default !== undefined) values[spec.name] = typeof spec.default === 'function' ? spec.default() : spec.default;
  }
  const secretSources: Record<string, SecretSource> = {};
  for (const spec of specs) {
    if (!spec.secret) continue;
    const { env: envName, file: fileFlag } = spec.secret;
    const path = values[fileFlag];
    if (values[spec.name] !== undefined && path !== undefined) throw usageError(`--${spec.name} and --${fileFlag} both give the ${spec.valueName ?? 'value'}; pass one`, undefined, 'FLAGS_CONFLICT');
    if (values[spec.name] !== undefined) secretSources[spec.name] = parsed.values[spec.name] !== undefined ? 'flag' : 'config';
    else if (typeof path === 'string') {
      values[spec.name] = readSecretFile(spec, fileFlag, path, sources.cwd ?? process.cwd());
      secretSources[spec.name] = 'file';
    } else {
      const fromEnv = (sources.env ?? process.env)[envName];
      if (fromEnv !== undefined && fromEnv.trim() !== '') {
        values[spec.name] = fromEnv.trim();
        secretSources[spec.name] = 'env';
      }
    }
  }
  return new Flags(values, secretSources, sources.rest ?? [], parsed.positionals);
}

function describeDefault(spec: FlagSpec): string {
  if (spec.defaultLabel) return spec.defaultLabel;
  if (spec.default === undefined || typeof spec.default === 'function') return '';
  if (spec.type === 'boolean') return spec.default ? 'on' : '';
  return Array.isArray(spec.default) ? spec.default.join(',') : String(spec.default);
}

/** Help lines, one per flag, with value placeholder, description and default. */
export function renderFlagHelp(specs: readonly FlagSpec[]): string[] {
  const rows = specs.map((spec) => {
    const value = spec.type === 'boolean' ? '' : ` <${spec.valueName ?? (spec.type === 'number' ? 'n' : spec.type === 'list' ? 'a,b' : 'value')}>${spec.type === 'strings' ? '…' : ''}`;
    const shown = describeDefault(spec);
    const choices = spec.choices ? ` [${spec.choices.join('|')}]` : '';
    return { left: `--${spec.name}${value}`, right: `${spec.description}${choices}${shown ? ` (default: ${shown})` : ''}` };
  });
  const width = Math.max(...rows.map((row) => row.left.length), 0) + 2;
  return rows.map((row) => `  ${row.left.padEnd(width)}${row.right}`);
}
