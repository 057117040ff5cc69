import { After, Before, setParallelCanAssign, Status } from '@cucumber/cucumber';
import { which } from 'zx';
import { installedEngineBuilds } from '../../fixtures/reference-worker/src/engine-builds.ts';
import type { MockHive } from '../../mock-hive/mock-hive-server.ts';
import type { TaskRun } from './task-runs.ts';
import type { HarnessWorld } from './world.ts';

// @serial scenarios cannot share the machine (the default registry, a whole `all` run): with
// --parallel N they run alone, and nothing else starts while one runs.
const serial = (pickle: { tags: readonly { name: string }[] }): boolean => pickle.tags.some((tag) => tag.name === '@serial');
setParallelCanAssign((pickle, running) => (serial(pickle) ? running.length === 0 : !running.some(serial)));

// @gpu scenarios need an NVIDIA GPU and the CUDA build of llama.cpp; elsewhere they are skipped, not failed.
Before({ tags: '@gpu' }, async function () {
  const gpu = (await which('nvidia-smi', { nothrow: true })) !== null && installedEngineBuilds().cuda;
  return gpu ? undefined : 'skipped';
});

/**
 * When a scenario fails, attach what a release engineer needs to see: the log tails of every
 * process the last task run started (worker, hive) and the hive's log, plus the run's output.
 */
After(async function (this: HarnessWorld, { result }) {
  if (result?.status !== Status.FAILED) return;
  const run = this.state.get('run') as TaskRun | undefined;
  for (const log of run?.report.logs ?? []) {
    await this.attach(`📋 ${log.name}${log.path ? ` (${log.path})` : ''}\n${log.tail.join('\n') || '(empty)'}`, { mediaType: 'text/plain', fileName: `${log.name}.log` });
  }
  if (run) await this.attach(run.output.split('\n').slice(-80).join('\n'), { mediaType: 'text/plain', fileName: 'task-output.txt' });
  const hive = this.state.get('hive') as MockHive | undefined;
  if (hive) await this.attach(`📋 hive log\n${hive.log.lines().join('\n') || '(empty)'}`, { mediaType: 'text/plain', fileName: 'hive.log' });
});
