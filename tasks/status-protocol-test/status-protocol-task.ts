import { parseCommandTemplate } from '../lib/cli/command-template.ts';
import { Redactor } from '../lib/process/redact.ts';
import { formatDuration } from '../lib/time/format-duration.ts';
import { newCheckState, closeSessions, type OwnedServer } from '../lib/status-protocol/checks/check-state.ts';
import { runStatusChecks, STATUS_CHECKS } from '../lib/status-protocol/checks/run-status-checks.ts';
import { launchPolicyServer, referenceServerArgv, type LaunchedServer } from '../lib/status-protocol/policy-server-launcher.ts';
import { normalizeBaseUrl } from '../lib/status-protocol/session-url.ts';
import type { StatusTarget } from '../lib/status-protocol/status-target.ts';
import type { TaskContext } from '../runner/task-context.ts';
import type { TaskDefinition } from '../runner/task-definition.ts';
import { currentTimeline } from '../lib/report/timeline.ts';
import { resolveSettings, STATUS_PROTOCOL_FLAGS, type StatusProtocolSettings } from './status-protocol-flags.ts';

function reportSettings(settings: StatusProtocolSettings): Record<string, unknown> {
  const redactor = new Redactor(settings.token ? [settings.token] : []);
  return {
    server: settings.url ? 'url' : settings.serverCmd ? 'server-cmd' : 'reference',
    url: settings.url ?? null,
    serverCmd: settings.serverCmd ? redactor.redact(settings.serverCmd) : null,
    model: settings.model ?? null,
    token: settings.token ? '[REDACTED]' : null,
    fault: settings.fault ?? null,
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
  const launch = async (name: string): Promise<LaunchedServer> => {
    const server = await launchPolicyServer({ start: (options) => context.start(options), argv, name, flag: 'server-cmd', token: settings.token, startTimeoutMs: settings.startTimeoutS * 1000, tailLines: context.tailLines });
    context.out.info(`${name}: ${server.baseUrl} up in ${formatDuration(server.startupMs)} (pid ${server.guard.pid})`);
    return server;
  };
  const what = settings.serverCmd ? 'the policy server (--server-cmd)' : `the reference policy server (load ${settings.loadSeconds} s, updates every ${settings.updateIntervalS} s${settings.fault ? `, fault ${settings.fault}` : ''})`;
  context.out.step(`Starting ${what}`);
  if (settings.fault && !settings.serverCmd) currentTimeline().record({ lane: 'faults', kind: 'fault', label: `reference server in fault mode ${settings.fault}`, status: 'warn', detail: { fault: settings.fault } });
  const server = await launch('policy-server');
  return { baseUrl: server.baseUrl, owned: { guard: server.guard, relaunch: launch } };
}

export const statusProtocolTask: TaskDefinition = {
  name: 'status-protocol:test',
  summary: 'test a policy server that streams model-loading status over WebSocket',
  description: [
    'Tests the policy status protocol (WebSocket + msgpack, waiting/loading/ready/error frames) of a',
    'robot-policy inference server, one check each: model listing; cold start (status frames, largest gap',
    'between frames vs --keepalive and --message-timeout, time to ready); inference after ready; warm',
    'connection (ready < 1 s, no loading frame); two clients inferring at once; unknown model (error naming',
    'the id and the available ones, close 1008); an inference error keeps the session open; and, when the',
    'harness owns the server, a crash during loading (killed mid-load: the client must report the crash,',
    'closed 1006, within the per-message timeout). Names the failure modes it sees: a server that blocks its',
    'event loop while loading (no frames, no pongs), periodic updates with gaps above the keepalive, a close',
    'without an error frame. Without --url or --server-cmd it starts the reference policy server',
    '(fixtures/policy-server); --fault runs that in a fault mode, with compressed time.',
  ].join('\n'),
  flags: STATUS_PROTOCOL_FLAGS,
  examples: [
    'npm run task -- status-protocol:test',
    'npm run task -- status-protocol:test --url ws://gpu-box:8000 --model 100 --token "$POLICY_TOKEN"',
    'npm run task -- status-protocol:test --server-cmd "python -m my_policy.serve --port {port}"',
    'npm run task -- status-protocol:test --fault buggy-periodic',
  ],
  async run(context, flags) {
    const settings = resolveSettings(flags);
    context.report.settings = reportSettings(settings);
    let baseUrl: string;
    let owned: OwnedServer | undefined;
    if (settings.url) {
      baseUrl = normalizeBaseUrl(settings.url);
    } else {
      ({ baseUrl, owned } = await startServer(context, settings));
    }
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
