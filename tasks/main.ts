import { runCli } from './runner/run-cli.ts';
import { TASKS } from './task-table.ts';

// `npm run task -- <task> [flags]`: exit explicitly so idle keep-alive sockets cannot hold the process open.
const code = await runCli(process.argv.slice(2), TASKS);
process.exit(code);
