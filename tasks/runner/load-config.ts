import { resolve } from 'node:path';
import { readConfigFile, findConfigFile } from '../lib/config/config-file.ts';
import { checkConfig, type ConfigTask, type LoadedConfig } from '../lib/config/hivecheck-config.ts';
import { COMMON_FLAGS } from './common-flags.ts';
import { loadTask, type TaskTableRow } from './task-definition.ts';

/** `--config <file>` or `--config=<file>` from argv, before the flags are parsed. */
export function configFlag(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] as string;
    if (arg === '--') break;
    if (arg === '--config') return argv[i + 1] ?? '';
    if (arg.startsWith('--config=')) return arg.slice('--config='.length);
  }
  return undefined;
}

/**
 * The config a task run uses: `--config <file>` (resolved from where the user ran the command),
 * else hivecheck.config.{json,mjs,ts} found from there upward, else none. Every task section in the
 * file is checked against that task's flag table, so a typo anywhere in it is found on any run.
 */
export async function loadConfig(argv: readonly string[], cwd: string, tasks: readonly TaskTableRow[]): Promise<LoadedConfig | undefined> {
  const given = configFlag(argv);
  const file = given !== undefined ? resolve(cwd, given) : findConfigFile(cwd);
  if (file === undefined) return undefined;
  const content = await readConfigFile(file);
  const named = typeof content === 'object' && content !== null ? Object.keys(content) : [];
  const checked: ConfigTask[] = await Promise.all(tasks.map(async (row) => (named.includes(row.name) ? await loadTask(row) : { name: row.name, flags: [] })));
  return checkConfig(file, content, checked, COMMON_FLAGS);
}
