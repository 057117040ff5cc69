import type { FlagSpec } from '../lib/cli/flag-spec.ts';
import { WORKER_TEST_FLAGS } from '../worker-test/worker-test-flags.ts';

export const CANARY_KINDS = ['ws-client', 'ws-server', 'worker', 'policy'] as const;
/** The kinds whose subjects speak the chat protocol over WebSocket (through the fault proxy). */
export const WS_KINDS: readonly CanaryKind[] = ['ws-client', 'ws-server'];
export type CanaryKind = (typeof CANARY_KINDS)[number];

/** Regressions the built-in canary can be given, per kind, so each probe has a case where it fails. */
export const CANARY_FAULTS: Record<CanaryKind, readonly string[]> = {
  'ws-client': ['keepalive-off', 'reconnect-off', 'max-age-off', 'close-blocks', 'lose-buffered', 'slow-replies', 'slightly-slower', 'noisy', 'crash'],
  'ws-server': ['keepalive-off', 'max-age-off', 'max-age-abrupt', 'close-blocks', 'lose-on-close', 'drop-after-idle', 'session-lock', 'slow-replies', 'slightly-slower', 'noisy'],
  worker: ['slow-tokens'],
  policy: ['slow-load', 'gap'],
};

/** worker:test's flags that say what a worker speaks and how it is reached; --kind worker takes them as they are. */
export const WORKER_FLAGS_TAKEN = ['profile', 'profiles', 'model', 'model-ref', 'api-key', 'header', 'worker-arg'] as const;

/** The taken flags: worker:test's own definitions (no copies), marked as --kind worker's, their defaults left to worker:test. */
const workerFlags: FlagSpec[] = WORKER_FLAGS_TAKEN.map((name) => {
  const spec = WORKER_TEST_FLAGS.find((candidate) => candidate.name === name) as FlagSpec;
  const { default: fallback, ...rest } = spec;
  return { ...rest, description: `worker: ${spec.description} (as worker:test; both sides)`, ...(fallback !== undefined && !spec.defaultLabel ? { defaultLabel: String(fallback) } : {}) };
});

const ALL_FAULTS = [...new Set(Object.values(CANARY_FAULTS).flat())];

export const CANARY_FLAGS: readonly FlagSpec[] = [
  { name: 'kind', type: 'string', choices: CANARY_KINDS, default: 'ws-client', description: 'what the subjects are: a long-lived WebSocket client (bot), a WebSocket service, an LLM worker, a policy server' },
  { name: 'baseline', type: 'string', valueName: 'cmd', description: 'baseline command (argv template, no shell; placeholders per kind, see below)', defaultLabel: 'the built-in reference subject' },
  { name: 'canary', type: 'string', valueName: 'cmd', description: 'canary command (same placeholders)', defaultLabel: 'the built-in reference subject' },
  { name: 'aa', type: 'boolean', description: 'A/A calibration: the baseline against itself (must promote)' },
  { name: 'canary-fault', type: 'string', valueName: 'name', choices: ALL_FAULTS, description: `give the built-in canary a regression (${Object.entries(CANARY_FAULTS).map(([kind, faults]) => `${kind}: ${faults.join(' ')}`).join('; ')})` },
  { name: 'samples', type: 'number', integer: true, min: 5, max: 10_000, default: 50, description: 'samples per side for each numeric metric, interleaved baseline/canary in random order' },
  { name: 'idle', type: 'number', min: 0, valueName: 's', defaultLabel: '2', description: 'ws-client, ws-server: idle time before the after-idle probes (compressed; real hours with --soak)' },
  { name: 'soak', type: 'number', min: 0.001, valueName: 'hours', description: 'ws-client, ws-server: idle for this many real hours instead of --idle' },
  { name: 'detect-within', type: 'number', min: 0.001, valueName: 's', description: 'ws-client, ws-server: a dead path must be noticed within this (ping interval + pong timeout)', defaultLabel: 'built-in: ping + pong timeout of the subjects; else 15' },
  { name: 'reconnect-within', type: 'number', min: 0.001, valueName: 's', defaultLabel: '5', description: 'ws-client, ws-server: reconnect and answer within this after a reset or close' },
  { name: 'reply-timeout', type: 'number', min: 0.001, valueName: 's', defaultLabel: '5', description: 'ws-client, ws-server: a reply must come within this' },
  { name: 'max-age', type: 'number', min: 0.1, valueName: 's', description: 'ws-client, ws-server: the max connection age the bots reconnect at / the services close at (built-in subjects are given it)', defaultLabel: 'built-in: 2 × idle + 1.25 × detect-within + close-within + 1, rounded up; else the probe is skipped' },
  { name: 'close-within', type: 'number', min: 0.001, valueName: 's', description: "ws-client, ws-server: a close on a dead path must return within this (the subject's close timeout)", defaultLabel: 'built-in: 1; else 5' },
  { name: 'ping-interval', type: 'number', min: 0, valueName: 's', description: 'ws-client, ws-server, built-in subjects: keepalive ping period (0 = off)', defaultLabel: '1' },
  { name: 'pong-timeout', type: 'number', min: 0.001, valueName: 's', description: 'ws-client, ws-server, built-in subjects: pong timeout', defaultLabel: '1' },
  { name: 'ws-path', type: 'string', valueName: 'path', defaultLabel: '/chat', description: 'ws-server: the WebSocket path the services serve the chat protocol at' },
  { name: 'connect-timeout', type: 'number', min: 0.1, valueName: 's', defaultLabel: '30 (worker: 120)', description: 'how long a subject may take to start (connect, get healthy, answer)' },
  { name: 'starts', type: 'number', integer: true, min: 1, max: 100, defaultLabel: '1', description: 'worker/policy: starts per side for the start-time metrics (included from 5)' },
  { name: 'replicas', type: 'number', integer: true, min: 1, max: 20, defaultLabel: '5', valueName: 'k', description: 'worker: the samples are taken in k rounds, each with a fresh baseline and canary worker; a regression must show in enough rounds for a sign test over the process pairs (5: all 5; 1: one process per side)' },
  ...workerFlags,
  { name: 'alpha', type: 'number', min: 0.0001, max: 0.5, default: 0.05, description: 'significance level of the rank and tail tests' },
  { name: 'min-effect-ms', type: 'number', min: 0, max: 600_000, valueName: 'ms', defaultLabel: 'ws-client, ws-server: 2; worker, policy: none', description: 'absolute floor of the time metrics: a worse median (or tail) shift no larger than this is noise whatever the ratio (a 1 ms echo 2× slower is 1 ms)' },
  { name: 'effect-floor', type: 'number', min: 1, max: 10, default: 1.1, description: 'a shift smaller than this ratio of medians is noise' },
];
