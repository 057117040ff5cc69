import { parseCommandTemplate } from '../lib/cli/command-template.ts';
import type { Flags } from '../lib/cli/flag-spec.ts';
import { shutdownAbortSignal } from '../lib/process/guard-registry.ts';
import { jobStatusUrl } from '../lib/status-protocol/training/stream-urls.ts';
import { runTrainingChecks } from '../lib/status-protocol/training/checks/run-training-checks.ts';
import { trainingServerArgv } from '../lib/status-protocol/training/training-server-launcher.ts';
import { closeTrainingClients, newTrainingState, type TrainingTarget } from '../lib/status-protocol/training/training-state.ts';
import type { ProcessGuard } from '../lib/process/process-guard.ts';
import type { TaskContext } from '../runner/task-context.ts';
import { launchAnnounced, reachServer, serverSettings } from './server-under-test.ts';
import { resolveTrainingSettings, TRAINING_DEFAULTS, type TrainingSettings } from './training-flags.ts';

function reportSettings(settings: TrainingSettings): Record<string, unknown> {
  const reference = !settings.url && !settings.serverCmd;
  return {
    protocol: 'training',
    ...serverSettings(settings),
    job: settings.jobId,
    clients: settings.clients,
    maxConnections: settings.maxConnections,
    maxIntervalS: settings.maxIntervalS,
    maxLatencyS: settings.maxLatencyS,
    messageTimeoutS: settings.messageTimeoutS,
    openTimeoutS: settings.openTimeoutS,
    ...(reference ? { steps: settings.steps, epochs: settings.epochs, stepIntervalS: settings.stepIntervalS } : {}),
  };
}

async function startServer(context: TaskContext, settings: TrainingSettings): Promise<{ baseUrl: string; guard: ProcessGuard }> {
  const argv = settings.serverCmd
    ? parseCommandTemplate(settings.serverCmd, 'server-cmd')
    : trainingServerArgv({ jobId: settings.jobId, steps: settings.steps, epochs: settings.epochs, stepIntervalSeconds: settings.stepIntervalS, maxConnections: settings.maxConnections, fault: settings.fault });
  const what = settings.serverCmd
    ? 'the training server (--server-cmd)'
    : `the reference training server (job ${settings.jobId}: ${settings.steps} steps, ${settings.epochs} epochs, ${settings.stepIntervalS} s/step, cap ${settings.maxConnections}${settings.fault ? `, fault ${settings.fault}` : ''})`;
  context.out.step(`Starting ${what}`);
  const server = await launchAnnounced(context, { argv, name: 'training-server', flag: 'server-cmd', token: settings.token, startTimeoutMs: settings.startTimeoutS * 1000, readyPath: `/jobs/${encodeURIComponent(settings.jobId)}` });
  return { baseUrl: server.baseUrl, guard: server.guard };
}

/** `status-protocol:test --protocol training`: the training progress stream of one job. */
export async function runTrainingProtocol(context: TaskContext, flags: Flags): Promise<void> {
  const settings = resolveTrainingSettings(flags);
  context.report.settings = reportSettings(settings);
  const reference = !settings.url && !settings.serverCmd;
  const { baseUrl, started } = await reachServer(settings, { probeUrl: (base) => jobStatusUrl(base, settings.jobId), server: 'training server' }, () => startServer(context, settings));
  const guard = started?.guard;
  const target: TrainingTarget = {
    baseUrl,
    jobId: settings.jobId,
    token: settings.token,
    clients: settings.clients,
    maxConnections: settings.maxConnections,
    // Only the reference server is known to stamp the trainer's write time on the same clock as this machine.
    latencySource: reference ? 'trainer-stamps' : 'message-timestamps',
    signal: shutdownAbortSignal(),
    timing: {
      openTimeoutMs: settings.openTimeoutS * 1000,
      messageTimeoutMs: settings.messageTimeoutS * 1000,
      firstMessageTimeoutMs: Math.max(settings.messageTimeoutS, settings.startTimeoutS) * 1000,
      maxIntervalMs: settings.maxIntervalS * 1000,
      maxLatencyMs: settings.maxLatencyS * 1000,
      countSettleMs: TRAINING_DEFAULTS.countSettleSeconds * 1000,
      maxPayload: settings.maxPayload,
    },
  };
  context.out.step(`Checking the training stream of job ${settings.jobId} at ${baseUrl} with ${settings.clients} watching client(s)`);
  const state = newTrainingState(target, guard);
  try {
    await runTrainingChecks(context.report, state);
  } finally {
    await closeTrainingClients(state);
  }
}
