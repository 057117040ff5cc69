import type { FlagSpec, Flags } from '../lib/cli/flag-spec.ts';
import { parseCommandTemplate, requirePortPlaceholder } from '../lib/cli/command-template.ts';
import { usageError } from '../lib/errors/harness-error.ts';
import { TRAINING_FAULTS, type TrainingFault } from '../lib/status-protocol/training/training-server-launcher.ts';

/** Flags of `--protocol training` only. */
export const TRAINING_ONLY_FLAGS: readonly FlagSpec[] = [
  { name: 'job', type: 'string', valueName: 'id', description: 'training: the job whose stream to test (WS /ws/training/{id}, GET /jobs/{id})', defaultLabel: 'job_hivecheck on the reference server; required with --url/--server-cmd' },
  { name: 'clients', type: 'number', integer: true, min: 1, valueName: 'n', description: 'training: clients that watch the whole stream (per-client latency p50/p95 with many)', defaultLabel: '3' },
  { name: 'max-connections', type: 'number', integer: true, min: 1, valueName: 'n', description: "training: the server's per-job connection cap; the connection after it must be refused", defaultLabel: '10' },
  { name: 'max-interval', type: 'number', min: 0.001, valueName: 's', description: 'training: largest gap between messages while the job runs', defaultLabel: '1' },
  { name: 'max-latency', type: 'number', min: 0.001, valueName: 's', description: "training: p95 latency from the trainer's update to the client", defaultLabel: '1' },
  { name: 'steps', type: 'number', integer: true, min: 1, valueName: 'n', description: 'training, reference server: steps of the simulated job', defaultLabel: '80' },
  { name: 'epochs', type: 'number', integer: true, min: 1, valueName: 'n', description: 'training, reference server: epochs of the simulated job', defaultLabel: '3' },
  { name: 'step-interval', type: 'number', min: 0.001, valueName: 's', description: 'training, reference server: seconds per step', defaultLabel: '0.05' },
];

/** Flags that only mean something to the policy protocol. */
export const POLICY_ONLY = ['model', 'keepalive', 'ping-interval', 'ping-timeout', 'load-seconds', 'update-interval'] as const;

export const TRAINING_DEFAULTS = { messageTimeout: 5, countSettleSeconds: 3, jobId: 'job_hivecheck', clients: 3, maxConnections: 10, maxInterval: 1, maxLatency: 1, steps: 80, epochs: 3, stepInterval: 0.05 } as const;

export interface TrainingSettings {
  url: string | undefined;
  serverCmd: string | undefined;
  token: string | undefined;
  fault: TrainingFault | undefined;
  jobId: string;
  clients: number;
  maxConnections: number;
  maxIntervalS: number;
  maxLatencyS: number;
  messageTimeoutS: number;
  openTimeoutS: number;
  maxPayload: number;
  startTimeoutS: number;
  steps: number;
  epochs: number;
  stepIntervalS: number;
}

/** Resolves `--protocol training`'s settings, refusing flags of the other protocol and combinations that make no sense. */
export function resolveTrainingSettings(flags: Flags): TrainingSettings {
  for (const name of POLICY_ONLY) if (flags.has(name)) throw usageError(`--${name} belongs to the policy protocol; it means nothing with --protocol training`);
  const url = flags.optionalString('url');
  const serverCmd = flags.optionalString('server-cmd');
  const fault = flags.optionalString('fault');
  if (url && serverCmd) throw usageError('--url and --server-cmd exclude each other', 'pass --url for a running server, or --server-cmd to start one');
  if (serverCmd) requirePortPlaceholder(parseCommandTemplate(serverCmd, 'server-cmd'), 'server-cmd', 'the training server');
  if (fault !== undefined && !(TRAINING_FAULTS as readonly string[]).includes(fault)) throw usageError(`--fault ${fault} is not a training fault; with --protocol training: ${TRAINING_FAULTS.join(', ')}`);
  if (fault && (url || serverCmd)) throw usageError('--fault runs the reference training server in a fault mode; it cannot be combined with --url or --server-cmd');
  const reference = !url && !serverCmd;
  if (reference && flags.has('token')) throw usageError('--token: the reference training server takes no token', 'pass --token with --url or --server-cmd, for your own server');
  for (const knob of ['steps', 'epochs', 'step-interval']) {
    if (!reference && flags.has(knob)) throw usageError(`--${knob} sets up the reference training server; it means nothing with --url or --server-cmd`);
  }
  const jobId = flags.optionalString('job') ?? (reference ? TRAINING_DEFAULTS.jobId : undefined);
  if (!jobId) throw usageError('--job <id> is required with --url or --server-cmd', 'name the job whose stream to test: --job job_abc123');
  const clients = flags.optionalNumber('clients') ?? TRAINING_DEFAULTS.clients;
  const maxConnections = flags.optionalNumber('max-connections') ?? TRAINING_DEFAULTS.maxConnections;
  if (clients + 1 > maxConnections) throw usageError(`--clients ${clients} needs --max-connections ${clients + 1} or more: the watching clients and the one that leaves connect at once`, `pass --max-connections ${clients + 1} or more (no margin is needed: the connection-cap check fills the job up to whatever cap is given, then opens one more)`);
  const steps = flags.optionalNumber('steps') ?? TRAINING_DEFAULTS.steps;
  const epochs = flags.optionalNumber('epochs') ?? TRAINING_DEFAULTS.epochs;
  if (epochs > steps) throw usageError(`--epochs ${epochs} cannot exceed --steps ${steps}`);
  return {
    url,
    serverCmd,
    token: flags.optionalString('token'),
    fault: fault as TrainingFault | undefined,
    jobId,
    clients,
    maxConnections,
    maxIntervalS: flags.optionalNumber('max-interval') ?? TRAINING_DEFAULTS.maxInterval,
    maxLatencyS: flags.optionalNumber('max-latency') ?? TRAINING_DEFAULTS.maxLatency,
    messageTimeoutS: flags.optionalNumber('message-timeout') ?? TRAINING_DEFAULTS.messageTimeout,
    openTimeoutS: flags.number('open-timeout'),
    maxPayload: flags.number('max-payload'),
    startTimeoutS: flags.number('start-timeout'),
    steps,
    epochs,
    stepIntervalS: flags.optionalNumber('step-interval') ?? TRAINING_DEFAULTS.stepInterval,
  };
}
