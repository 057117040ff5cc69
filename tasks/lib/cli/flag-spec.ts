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
}

/** Parsed flags with typed accessors that throw a usage error on misuse by the task author. */
export class Flags {
  constructor(
    readonly values: Readonly<Record<string, FlagValue>>,
    /** Words that are not flags (only for a task that takes them, e.g. merge-reports' folders), and everything after `--`. */
    readonly positionals: readonly string[] = [],
  ) {}

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

function convert(spec: FlagSpec, raw: string | boolean | (string | boolean)[]): FlagValue {
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

/** Parses `argv` against `specs` with node's strict parser; unknown flags and stray words are usage errors. */
export function parseFlags(argv: readonly string[], specs: readonly FlagSpec[], allowPositionals = false): Flags {
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }> = {};
  for (const spec of specs) options[spec.name] = spec.type === 'list' || spec.type === 'strings' ? { type: 'string', multiple: true } : { type: spec.type === 'boolean' ? 'boolean' : 'string' };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? 'UNKNOWN_FLAG' : 'BAD_FLAGS';
    throw usageError((error as Error).message.replace(/\. To specify a positional argument.*$/s, ''), undefined, code);
  }
  const values: Record<string, FlagValue> = {};
  for (const spec of specs) {
    const raw = parsed.values[spec.name];
    if (raw !== undefined) values[spec.name] = convert(spec, raw as string | boolean | (string | boolean)[]);
    else if (spec.default !== undefined) values[spec.name] = typeof spec.default === 'function' ? spec.default() : spec.default;
  }
  return new Flags(values, parsed.positionals);
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
