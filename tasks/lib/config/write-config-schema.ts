/**
 * Writes hivecheck.config.schema.json (shipped for editors) from the task table:
 * `npx tsx tasks/lib/config/write-config-schema.ts` (prepack runs it; a test keeps the file current).
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { COMMON_FLAGS } from '../../runner/common-flags.ts';
import { loadTask } from '../../runner/task-definition.ts';
import { TASKS } from '../../task-table.ts';
import { configSchema } from './config-schema.ts';

export const SCHEMA_FILE = fileURLToPath(new URL('../../../hivecheck.config.schema.json', import.meta.url));

export async function renderConfigSchema(): Promise<string> {
  const tasks = await Promise.all(TASKS.map(async (row) => await loadTask(row)));
  return `${JSON.stringify(configSchema(tasks, COMMON_FLAGS), null, 2)}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(SCHEMA_FILE, await renderConfigSchema());
  console.log(`wrote ${SCHEMA_FILE}`);
}
