// A worker that forks: it starts a grandchild holding a listening port of its own, then runs the
// reference worker (with the arguments it was given) as a second child, and exits with it.
// Used by the chaos script to prove that teardown reaches grandchildren and frees their ports.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const tsx = import.meta.resolve('tsx');
const main = fileURLToPath(new URL('../fixtures/reference-worker/src/main.ts', import.meta.url));
const holder = spawn(process.execPath, ['-e', "require('node:net').createServer().listen(0, '127.0.0.1', function () { console.log('grandchild listening on ' + this.address().port) })"], { stdio: 'inherit' });
const worker = spawn(process.execPath, ['--import', tsx, main, ...process.argv.slice(2)], { stdio: 'inherit' });
console.log(`forked grandchild ${holder.pid} and worker ${worker.pid}`);
worker.on('exit', (code, signal) => {
  holder.kill('SIGTERM');
  process.exit(code ?? (signal ? 1 : 0));
});
