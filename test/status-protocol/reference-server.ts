import { ProcessGuard } from '../../tasks/lib/process/process-guard.ts';
import { launchPolicyServer, referenceServerArgv, type LaunchedServer, type ReferenceServerKnobs } from '../../tasks/lib/status-protocol/policy-server-launcher.ts';

/** Starts fixtures/policy-server in its own guarded process (it may block or kill itself). */
export async function startReferenceServer(name: string, knobs: ReferenceServerKnobs, token?: string): Promise<LaunchedServer> {
  return await launchPolicyServer({ start: (options) => ProcessGuard.start(options), argv: referenceServerArgv({ ...knobs, token: token !== undefined }), name, flag: 'test', token, startTimeoutMs: 20_000 });
}
