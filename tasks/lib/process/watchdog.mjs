// The harness's watchdog: a tiny process, in its own session, that outlives a harness killed
// with SIGKILL (which cannot run its own teardown). It holds the read end of a pipe from the
// harness; when the pipe closes (the harness exited, however it died) it kills every process
// group the harness's record file still lists as running, then removes the record and exits.
// On start it also sweeps records left by earlier harnesses whose watchdog did not get to run.
//   node watchdog.mjs <record file> <state dir>
import { sweepRecordFile, sweepStaleRecords } from './group-sweep.mjs';

const [recordFile, dir] = process.argv.slice(2);
const log = (text) => process.stderr.write(`hivecheck watchdog: ${text}\n`);

function describe(result) {
  for (const outcome of result?.outcomes ?? []) {
    if (outcome.action === 'gone') continue;
    const what = `${outcome.group.name} (pgid ${outcome.group.pgid}, run ${outcome.group.runId})`;
    if (outcome.action === 'recycled') log(`left ${what} alone: ${outcome.reason}`);
    else log(`killed ${what} with ${outcome.signal}${outcome.survivors?.length ? `; still running: ${outcome.survivors.join(', ')}` : ''}`);
  }
}

// Stray signals meant for the harness's terminal must not end the watchdog before the sweep.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => {});

// The harness is gone: nobody waits for an orderly shutdown (its logs and report went with it), so
// the groups get a short grace before SIGKILL; the harness's own teardown keeps its --grace.
const GRACE_MS = 300;

let pipeClosed = false;
const onClosed = async () => {
  if (pipeClosed) return;
  pipeClosed = true;
  describe(await sweepRecordFile(recordFile, { graceMs: GRACE_MS }));
  process.exit(0);
};
process.stdin.on('data', () => {});
process.stdin.on('end', onClosed);
process.stdin.on('close', onClosed);
process.stdin.on('error', onClosed);

for (const result of await sweepStaleRecords(dir, { except: recordFile })) describe(result);
