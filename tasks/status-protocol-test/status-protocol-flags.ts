import type { FlagSpec, Flags } from '../lib/cli/flag-spec.ts';
import { parseCommandTemplate, requirePortPlaceholder } from '../lib/cli/command-template.ts';
import { usageError } from '../lib/errors/harness-error.ts';
import type { ReferenceFault } from '../lib/status-protocol/policy-server-launcher.ts';
import { SESSION_DEFAULTS } from '../lib/status-protocol/session-client.ts';
import { TRAINING_FAULTS } from '../lib/status-protocol/training/training-server-launcher.ts';
import { TRAINING_DEFAULTS, TRAINING_ONLY_FLAGS } from './training-flags.ts';

export const FAULT_CHOICES: readonly ReferenceFault[] = ['block-event-loop', 'buggy-periodic', 'crash-during-load', 'fail-load'];

/**
 * With `--fault`, time is compressed unless a flag says otherwise, keeping the upstream ratios
 * (update interval : keepalive : per-message timeout = 5 : 20 : 30 s → 0.25 : 1 : 2 s), so every
 * fault shows within a few seconds.
 */
export const FAULT_TIMING = { keepalive: 1, messageTimeout: 2, pingInterval: 0.5, pingTimeout: 0.5, updateInterval: 0.25 } as const;

export const PROTOCOLS = ['policy', 'training'] as const;
export type StatusProtocol = (typeof PROTOCOLS)[number];

export const STATUS_PROTOCOL_FLAGS: readonly FlagSpec[] = [
  { name: 'protocol', type: 'string', valueName: 'name', choices: PROTOCOLS, description: 'policy: model-loading status (msgpack); training: training progress stream (JSON)', default: 'policy' },
  { name: 'url', type: 'string', valueName: 'ws://host:port', description: 'test a running server', defaultLabel: 'start the reference server' },
  { name: 'server-cmd', type: 'string', valueName: 'cmd', description: 'start your server with this command (argv, no shell; {port} is a free port, {token} the --token) and test it' },
  { name: 'model', type: 'string', valueName: 'id', description: 'model/checkpoint id for the sessions', defaultLabel: "the server's default model" },
  { name: 'keepalive', type: 'number', min: 0.001, valueName: 's', description: 'a gap between status frames above this fails the cold start', defaultLabel: `20 (${FAULT_TIMING.keepalive} with --fault)` },
  { name: 'message-timeout', type: 'number', min: 0.001, valueName: 's', description: 'per-message timeout: each frame must come within this (not a total); training: a longer silence is a stall', defaultLabel: `30 (${FAULT_TIMING.messageTimeout} with --fault); training ${TRAINING_DEFAULTS.messageTimeout}` },
  { name: 'open-timeout', type: 'number', min: 0.001, valueName: 's', description: 'TCP connect + WebSocket upgrade timeout', default: SESSION_DEFAULTS.openTimeoutMs / 1000 },
  { name: 'ping-interval', type: 'number', min: 0.001, valueName: 's', description: 'WebSocket keepalive ping period', defaultLabel: `--keepalive (${FAULT_TIMING.pingInterval} with --fault)` },
  { name: 'ping-timeout', type: 'number', min: 0.001, valueName: 's', description: 'how long a ping may go without a pong', defaultLabel: `--keepalive (${FAULT_TIMING.pingTimeout} with --fault)` },
  { name: 'max-payload', type: 'number', integer: true, min: 1, valueName: 'bytes', description: 'largest message the client accepts', default: SESSION_DEFAULTS.maxPayload },
  { name: 'token', type: 'string', valueName: 'token', secret: { env: 'HIVECHECK_TOKEN', file: 'token-file' }, description: 'sent as Authorization: Bearer <token> (redacted everywhere); the reference server then requires it. Prefer $HIVECHECK_TOKEN or --token-file: a token on the command line shows in npm\'s echo and in ps' },
  { name: 'token-file', type: 'string', valueName: 'path', description: 'read --token from the first line of this file' },
  { name: 'start-timeout', type: 'number', min: 0.001, valueName: 's', description: 'how long a started server may take to answer GET /api/v1/models (training: GET /jobs/{id}, and a watcher\'s first message)', default: 60 },
  { name: 'load-seconds', type: 'number', min: 0, valueName: 's', description: 'reference server: how long a model load takes', defaultLabel: '3' },
  { name: 'update-interval', type: 'number', min: 0.001, valueName: 's', description: 'reference server: a loading frame this often while loading', defaultLabel: `1 (${FAULT_TIMING.updateInterval} with --fault)` },
  { name: 'fault', type: 'string', valueName: 'mode', choices: [...FAULT_CHOICES, ...TRAINING_FAULTS], description: 'run the reference server in a fault mode (the run must fail, naming it)' },
  ...TRAINING_ONLY_FLAGS,
];

/** `--protocol`: which subject of the task runs. */
export function protocolOf(flags: Flags): StatusProtocol {
  return (flags.optionalString('protocol') ?? 'policy') as StatusProtocol;
}

export interface StatusProtocolSettings {
  url: string | undefined;
  serverCmd: string | undefined;
  model: string | undefined;
  token: string | undefined;
  fault: ReferenceFault | undefined;
  keepaliveS: number;
  messageTimeoutS: number;
  openTimeoutS: number;
  pingIntervalS: number;
  pingTimeoutS: number;
  maxPayload: number;
  startTimeoutS: number;
  loadSeconds: number;
  updateIntervalS: number;
}

/** Resolves defaults that depend on other flags, and refuses combinations that make no sense. */
export function resolveSettings(flags: Flags): StatusProtocolSettings {
  for (const spec of TRAINING_ONLY_FLAGS) if (flags.has(spec.name)) throw usageError(`--${spec.name} belongs to --protocol training`);
  const url = flags.optionalString('url');
  const serverCmd = flags.optionalString('server-cmd');
  const fault = flags.optionalString('fault') as ReferenceFault | undefined;
  if (fault !== undefined && !FAULT_CHOICES.includes(fault)) throw usageError(`--fault ${fault} is a training fault; with the policy protocol: ${FAULT_CHOICES.join(', ')}`, 'add --protocol training', 'FLAGS_CONFLICT');
  if (url && serverCmd) throw usageError('--url and --server-cmd exclude each other', 'pass --url for a running server, or --server-cmd to start one', 'FLAGS_CONFLICT');
  if (serverCmd) requirePortPlaceholder(parseCommandTemplate(serverCmd, 'server-cmd'), 'server-cmd', 'the policy server');
  if (fault && (url || serverCmd)) throw usageError('--fault runs the reference server in a fault mode; it cannot be combined with --url or --server-cmd', undefined, 'FLAGS_CONFLICT');
  const reference = !url && !serverCmd;
  for (const knob of ['load-seconds', 'update-interval']) {
    if (!reference && flags.has(knob)) throw usageError(`--${knob} sets up the reference server; it means nothing with --url or --server-cmd`, undefined, 'FLAGS_CONFLICT');
  }
  const compressed = fault !== undefined;
  const keepaliveS = flags.optionalNumber('keepalive') ?? (compressed ? FAULT_TIMING.keepalive : 20);
  return {
    url,
    serverCmd,
    model: flags.optionalString('model'),
    token: flags.optionalString('token'),
    fault,
    keepaliveS,
    messageTimeoutS: flags.optionalNumber('message-timeout') ?? (compressed ? FAULT_TIMING.messageTimeout : 30),
    openTimeoutS: flags.number('open-timeout'),
    pingIntervalS: flags.optionalNumber('ping-interval') ?? (compressed ? FAULT_TIMING.pingInterval : keepaliveS),
    pingTimeoutS: flags.optionalNumber('ping-timeout') ?? (compressed ? FAULT_TIMING.pingTimeout : keepaliveS),
    maxPayload: flags.number('max-payload'),
    startTimeoutS: flags.number('start-timeout'),
    loadSeconds: flags.optionalNumber('load-seconds') ?? 3,
    updateIntervalS: flags.optionalNumber('update-interval') ?? (compressed ? FAULT_TIMING.updateInterval : 1),
  };
}
