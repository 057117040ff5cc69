import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { cliCommand } from '../cli/invocation.ts';
import { HarnessError } from '../errors/harness-error.ts';

/** The names a config file may have, in the order they are looked for in each folder. */
export const CONFIG_FILE_NAMES = ['hivecheck.config.json', 'hivecheck.config.mjs', 'hivecheck.config.ts'] as const;

/** The first config file found in `cwd` or a folder above it, or undefined. */
export function findConfigFile(cwd: string): string | undefined {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    for (const name of CONFIG_FILE_NAMES) {
      const path = join(dir, name);
      if (existsSync(path)) return path;
    }
    if (dirname(dir) === dir) return undefined;
  }
}

function configError(code: string, message: string, hint?: string, cause?: unknown): HarnessError {
  return new HarnessError(code, message, { kind: 'usage', hint, cause });
}

/**
 * The raw content of a config file: JSON parsed, or the default export of a .mjs / .ts module
 * (TypeScript through tsx). A missing or unreadable file is CONFIG_NOT_FOUND / CONFIG_UNREADABLE
 * (exit 2), naming the file.
 */
export async function readConfigFile(path: string): Promise<unknown> {
  if (!existsSync(path)) throw configError('CONFIG_NOT_FOUND', `config file ${path} does not exist`, `pass --config an existing file, or run: ${cliCommand('init')}`);
  if (path.endsWith('.json')) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw configError('CONFIG_UNREADABLE', `cannot read config file ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, 'check the file and its permissions', error);
    }
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw configError('CONFIG_UNREADABLE', `${path} is not valid JSON: ${(error as Error).message}`, 'fix the JSON (an editor with hivecheck.config.schema.json shows where)', error);
    }
  }
  if (!path.endsWith('.mjs') && !path.endsWith('.js') && !path.endsWith('.ts') && !path.endsWith('.mts')) {
    throw configError('CONFIG_UNREADABLE', `config file ${path} is neither .json, .mjs nor .ts`, `name it one of ${CONFIG_FILE_NAMES.join(', ')}`);
  }
  try {
    const module = (path.endsWith('.ts') || path.endsWith('.mts')
      ? await (await import('tsx/esm/api')).tsImport(pathToFileURL(path).href, import.meta.url)
      : await import(pathToFileURL(path).href)) as { default?: unknown };
    let value = module.default;
    // A .ts file outside an ESM package is compiled as CommonJS: its default export arrives wrapped once more.
    if (typeof value === 'object' && value !== null && Object.keys(value).length === 1 && 'default' in value) value = (value as { default: unknown }).default;
    if (value === undefined) throw new Error('it has no default export');
    return value;
  } catch (error) {
    throw configError('CONFIG_UNREADABLE', `cannot load config file ${path}: ${(error as Error).message}`, 'the module must `export default { … }`', error);
  }
}
