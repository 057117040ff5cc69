import { releaseWatchdog } from './lib/process/group-record.ts';
import { runCli } from './runner/run-cli.ts';
import { TASKS } from './task-table.ts';

// `npm run task -- <task> [flags]`: exit explicitly so idle keep-alive sockets cannot hold the process open.
const code = await runCli(process.argv.slice(2), TASKS);
await releaseWatchdog(); // its exit is part of ours: nothing of the run outlives the harness
process.exit(code);
