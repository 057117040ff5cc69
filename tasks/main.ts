import { runAsMain } from './runner/run-main.ts';
import { TASKS } from './task-table.ts';

// `npm run task -- <task> [flags]` and `npx hivecheck …`.
await runAsMain(process.argv.slice(2), TASKS);
