import { parseCommandTemplate } from '../lib/cli/command-template.ts';
import { shutdownAbortSignal } from '../lib/process/guard-registry.ts';
import { newCheckState, closeSessions, type OwnedServer } from '../lib/status-protocol/checks/check-state.ts';
import { runStatusChecks, STATUS_CHECKS } from '../lib/status-protocol/checks/run-status-checks.ts';
import { referenceServerArgv, type LaunchedServer } from '../lib/status-protocol/policy-server-launcher.ts';
import type { StatusTarget } from '../lib/status-protocol/status-target.ts';
import type { TaskContext } from '../runner/task-context.ts';
import type { TaskDefinition } from '../runner/task-definition.ts';
import { currentTimeline } from '../lib/report/timeline.ts';
import { protocolOf, resolveSettings, STATUS_PROTOCOL_FLAGS, type StatusProtocolSettings } from './status-protocol-flags.ts';
import { launchAnnounced, reachServer, serverSettings } from './server-under-test.ts';
import { runTrainingProtocol } from './training-protocol-run.ts';

function reportSettings(settings: StatusProtocolSettings): Record<string, unknown> {
  return {
    ...serverSettings(settings),
    model: settings.model ?? null,
    keepaliveS: settings.keepaliveS,
    messageTimeoutS: settings.messageTimeoutS,
    openTimeoutS: settings.openTimeoutS,
    pingIntervalS: settings.pingIntervalS,
    pingTimeoutS: settings.pingTimeoutS,
    maxPayload: settings.maxPayload,
    ...(settings.url || settings.serverCmd ? {} : { loadSeconds: settings.loadSeconds, updateIntervalS: settings.updateIntervalS }),
  };
}

async function startServer(context: TaskContext, settings: StatusProtocolSettings): Promise<{ baseUrl: string; owned: OwnedServer }> {
  const argv = settings.serverCmd
    ? parseCommandTemplate(settings.serverCmd, 'server-cmd')
    : referenceServerArgv({ loadSeconds: settings.loadSeconds, updateIntervalSeconds: settings.updateIntervalS, fault: settings.fault, token: settings.token !== undefined });
  const launch = (name: string): Promise<LaunchedServer> => launchAnnounced(context, { argv, name, flag: 'server-cmd', token: settings.token, startTimeoutMs: settings.startTimeoutS * 1000 });
  const what = settings.serverCmd ? 'the policy server (--server-cmd)' : `the reference policy server (load ${settings.loadSeconds} s, updates every ${settings.updateIntervalS} s${settings.fault ? `, fault ${settings.fault}` : ''})`;
  context.out.step(`Starting ${what}`);
  if (settings.fault && !settings.serverCmd) currentTimeline().record({ lane: 'faults', kind: 'fault', label: `reference server in fault mode ${settings.fault}`, status: 'warn', detail: { fault: settings.fault } });
  const server = await launch('policy-server');
  return { baseUrl: server.baseUrl, owned: { guard: server.guard, relaunch: launch } };
}

export const statusProtocolTask: TaskDefinition = {
  name: 'status-protocol:test',
  summary: 'test a WebSocket status stream: policy model-loading status (default) or training progress (--protocol training)',
  description: [
    'Tests the policy status protocol (WebSocket + msgpack, waiting/loading/ready/error frames) of a',
    'robot-policy inference server, one check each: model listing; cold start (status frames, largest gap',
    'between frames vs --keepalive and --message-timeout, time to ready); inference after ready; warm',
    'connection (ready < 1 s: the model was reused); two clients inferring at once; unknown model (an error',
    'naming the id, close 1008; whether it also lists the available ids is reported); an inference error',
    'keeps the session open; another listed model asked for while one is in use (ready at once, or waiting',
    'until the first model\'s sessions end, then ready); and, when the harness owns the server, a crash during loading (killed mid-load:',
    'the client must report the crash, closed 1006, within the per-message timeout). Names the failure',
    'modes it sees from the frames and the keepalive pings: a server that blocks its event loop while',
    'loading (no frames, pongs late or missing), periodic updates with a gap above the keepalive, no',
    'periodic updates, a close without an error frame. Exit 3 when nothing listens at --url. Without --url',
    'or --server-cmd it starts the reference policy server (fixtures/policy-server); --fault runs that in a',
    'fault mode, with compressed time.',
    '',
    '--protocol training tests a training progress stream instead (WS /ws/training/{job_id}, JSON text',
    'frames, REST GET /jobs/{job_id}), one check each: unknown job refused with a reason; --clients watchers',
    'plus one that leaves mid-stream connect; the leaver does not disturb the others and the connection count',
    'comes back down; the connection after --max-connections is refused with a reason; no stall longer than',
    '--message-timeout; message schema (fields, ranges, progress vs steps, monotone steps, ISO-8601 UTC',
    'timestamps); update gaps <= --max-interval (largest, p95); trainer -> client latency p95 < --max-latency',
    '(measured against the reference server, estimated from timestamps otherwise); identical sequences; final',
    'message to every client then close 1000; job outcome; REST agrees with the stream. Without --url or',
    '--server-cmd it starts the reference training server (fixtures/training-server).',
  ].join('\n'),
  flags: STATUS_PROTOCOL_FLAGS,
  examples: [
    'npm run task -- status-protocol:test',
    'npm run task -- status-protocol:test --url ws://gpu-box:8000 --model 100 --token "$POLICY_TOKEN"',
    'npm run task -- status-protocol:test --server-cmd "python -m my_policy.serve --port {port}"',
    'npm run task -- status-protocol:test --fault buggy-periodic',
    'npm run task -- status-protocol:test --protocol training',
    'npm run task -- status-protocol:test --protocol training --url ws://trainer:8000 --job job_abc123',
    'npm run task -- status-protocol:test --protocol training --clients 100 --max-connections 110',
    'npm run task -- status-protocol:test --protocol training --fault leak',
  ],
  async run(context, flags) {
    if (protocolOf(flags) === 'training') return await runTrainingProtocol(context, flags);
    const settings = resolveSettings(flags);
    context.report.settings = reportSettings(settings);
    const { baseUrl, started } = await reachServer(settings, {}, () => startServer(context, settings));
    const owned: OwnedServer | undefined = started?.owned;
    const target: StatusTarget = {
      baseUrl,
      model: settings.model,
      token: settings.token,
      timing: {
        openTimeoutMs: settings.openTimeoutS * 1000,
        pingIntervalMs: settings.pingIntervalS * 1000,
        pingTimeoutMs: settings.pingTimeoutS * 1000,
        messageTimeoutMs: settings.messageTimeoutS * 1000,
        keepaliveMs: settings.keepaliveS * 1000,
        maxPayload: settings.maxPayload,
      },
      signal: shutdownAbortSignal(),
      onStatus: (label, frame) => context.out.info(`${label}: [${frame.status}] ${frame.message} (+${(frame.sinceOpenMs / 1000).toFixed(2)} s)`),
    };
    context.out.step(`Checking ${baseUrl}${settings.model ? ` (model ${settings.model})` : ''}`);
    const state = newCheckState(target, owned);
    try {
      await runStatusChecks(context.report, state, STATUS_CHECKS);
    } finally {
      await closeSessions(state);
    }
  },
};
