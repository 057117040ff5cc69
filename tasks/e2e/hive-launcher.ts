import type { Launcher } from '../../mock-hive/worker-pool.ts';
import { usageError } from '../lib/errors/harness-error.ts';
import { resolveProfile } from '../lib/worker/profile-store.ts';
import type { WorkerProfile } from '../lib/worker/worker-profile.ts';
import { workerArgv } from '../worker-test/worker-launch.ts';
import type { LaunchMode } from '../worker-test/worker-test-plan.ts';

export interface HiveLaunchDefaults {
  /** The profile used when a spawn request names none. */
  profile: WorkerProfile;
  /** User profiles file the hive also knows (`--profiles`). */
  profilesFile?: string;
  heartbeatIntervalS: number;
  threads: number;
  contextSize: number;
  extraArgs?: string[];
}

/**
 * How the built-in hive turns a spawn request into a worker command line, with worker:test's
 * launch rules: the request's `command` (an argv template), else its profile's command, else the
 * built-in reference worker speaking that profile's API.
 */
export function hiveLauncher(defaults: HiveLaunchDefaults): Launcher {
  return (request, values) => {
    const profile = request.profile ? resolveProfile(request.profile, defaults.profilesFile) : defaults.profile;
    let launch: LaunchMode = { kind: 'reference' };
    if (request.command) launch = { kind: 'cmd', argv: request.command, flag: 'spawn request command' };
    else if (profile.command) throw usageError(`profile '${profile.name}' has a command string; send it as the spawn request's command (an argv array)`);
    else if (!profile.referenceApi) throw usageError(`profile '${profile.name}' has no built-in worker; send a command in the spawn request`);
    return workerArgv(
      { launch, profile, extraArgs: defaults.extraArgs ?? [] },
      {
        workerId: values.workerId, model: request.modelPath, modelRef: request.modelRef, backend: request.backend, device: request.device, port: values.port,
        hivePort: values.hivePort, hiveUrl: values.hiveUrl, heartbeatInterval: defaults.heartbeatIntervalS, threads: defaults.threads, contextSize: defaults.contextSize,
        ...(values.hiveToken === undefined ? {} : { hiveToken: values.hiveToken }),
      },
    );
  };
}
