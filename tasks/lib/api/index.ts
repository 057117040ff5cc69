/**
 * hivecheck as a library, for your own tests: the same guards, waits, mock hive and checks the
 * tasks use. `import { MockHive, startWorker, runTask } from 'hivecheck'` (docs/library.md).
 */
export { MockHive, type MockHiveOptions } from '../../../mock-hive/mock-hive-server.ts';
export type { Heartbeat } from '../../../mock-hive/heartbeat.ts';
export { ProcessGuard, type GuardOptions, type ExitInfo, type StopReport } from '../process/process-guard.ts';
export { waitFor, type WaitOptions, type WaitOutcome, type Probe } from '../wait-strategies/wait-for.ts';
export { httpReadiness, type HttpWaitOptions } from '../wait-strategies/http-wait-strategy.ts';
export { HarnessError, ExitCode, type Evidence } from '../errors/harness-error.ts';
export { ensureTinyModel } from '../../../fixtures/tiny-model/write-tiny-llama.ts';
export { launchPolicyServer, referenceServerArgv, type LaunchedServer, type ReferenceServerKnobs } from '../status-protocol/policy-server-launcher.ts';
export { startWorker, type StartWorkerOptions, type StartedWorker } from './start-worker.ts';
export { waitForHeartbeats, type HeartbeatWait } from './wait-for-heartbeats.ts';
export { startPolicyServer, type StartPolicyServerOptions } from './start-policy-server.ts';
export { runTask, type TaskResult } from './run-task.ts';
export type { ReportJson } from '../report/run-report.ts';
export type { HivecheckConfig, TaskSettings } from '../config/hivecheck-config.ts';
