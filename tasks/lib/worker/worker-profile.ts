import { usageError } from '../errors/harness-error.ts';

export const HEALTH_EXPECTATIONS = ['seed-health', 'status-ok', 'any-200'] as const;
export const INFERENCE_REQUESTS = ['seed', 'llama-completion', 'openai-completions'] as const;
export const STREAM_MODES = ['never', 'optional', 'always'] as const;

export type HealthExpectation = (typeof HEALTH_EXPECTATIONS)[number];
export type InferenceRequestStyle = (typeof INFERENCE_REQUESTS)[number];
export type StreamMode = (typeof STREAM_MODES)[number];

export interface InferenceEndpoint {
  path: string;
  request: InferenceRequestStyle;
  /** `always`: the endpoint only streams (SSE); `optional`: JSON unless asked to stream. */
  stream: StreamMode;
}

/**
 * What a family of workers looks like from outside: how to start one (an argument template used
 * with `--worker-bin`), which routes answer health/ready/models/inference and how to judge them,
 * and whether (and where) it sends heartbeats to the hive.
 */
export interface WorkerProfile {
  name: string;
  description: string;
  /** Argument template for `--worker-bin <path>`; placeholders like `{port}` are filled per run. */
  args: string[];
  /** A full command template (user profiles); `--worker-cmd` overrides it. */
  command?: string;
  /** Which `--api` the built-in reference worker speaks for this profile. */
  referenceApi?: string;
  health: { path: string; expect: HealthExpectation };
  ready?: { path: string; expect: 'ready-flag' };
  models?: { path: string; expect: 'openai-models' };
  inference: InferenceEndpoint[];
  /** Absent: the worker sends no heartbeats (llama-server, OpenAI-compatible servers). */
  heartbeats?: { route: '/heartbeat/workers' | '/v1/heartbeat'; states: string[] };
}

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads one profile object and says exactly which field is wrong. */
export function parseProfile(raw: unknown, source: string): WorkerProfile {
  const fail = (what: string): never => {
    throw usageError(`worker profile ${isRecord(raw) && typeof raw.name === 'string' ? `'${raw.name}' ` : ''}in ${source}: ${what}`, 'see fixtures/profiles/*.json for the shape of a profile', 'PROFILE_INVALID');
  };
  if (!isRecord(raw)) return fail('must be a JSON object');
  const text = (value: unknown, field: string): string => (typeof value === 'string' && value !== '' ? value : fail(`${field} must be a non-empty string`));
  const path = (value: unknown, field: string): string => {
    const p = text(value, field);
    return p.startsWith('/') ? p : fail(`${field} must start with '/', got '${p}'`);
  };
  const oneOf = <T extends string>(value: unknown, field: string, allowed: readonly T[]): T =>
    typeof value === 'string' && (allowed as readonly string[]).includes(value) ? (value as T) : fail(`${field} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  const section = (value: unknown, field: string): Json => (isRecord(value) ? value : fail(`${field} must be an object`));

  const name = text(raw.name, 'name');
  if (!/^[a-z0-9][a-z0-9_.-]*$/i.test(name)) fail(`name '${name}' may only use letters, digits, '.', '_' and '-'`);
  const args = raw.args === undefined ? [] : Array.isArray(raw.args) && raw.args.every((arg) => typeof arg === 'string') ? (raw.args as string[]) : fail('args must be an array of strings');
  const health = section(raw.health, 'health');
  const profile: WorkerProfile = {
    name,
    description: typeof raw.description === 'string' ? raw.description : '',
    args,
    health: { path: path(health.path, 'health.path'), expect: oneOf(health.expect, 'health.expect', HEALTH_EXPECTATIONS) },
    inference: [],
  };
  if (raw.command !== undefined) profile.command = text(raw.command, 'command');
  if (raw.referenceApi !== undefined) profile.referenceApi = text(raw.referenceApi, 'referenceApi');
  if (raw.ready !== undefined) profile.ready = { path: path(section(raw.ready, 'ready').path, 'ready.path'), expect: 'ready-flag' };
  if (raw.models !== undefined) profile.models = { path: path(section(raw.models, 'models').path, 'models.path'), expect: 'openai-models' };
  const inference = Array.isArray(raw.inference) ? raw.inference : raw.inference === undefined ? fail('inference is required') : [raw.inference];
  if (inference.length === 0) fail('inference needs at least one endpoint');
  profile.inference = inference.map((item: unknown, i: number) => {
    const endpoint = section(item, `inference[${i}]`);
    return {
      path: path(endpoint.path, `inference[${i}].path`),
      request: oneOf(endpoint.request, `inference[${i}].request`, INFERENCE_REQUESTS),
      stream: endpoint.stream === undefined ? 'never' : oneOf(endpoint.stream, `inference[${i}].stream`, STREAM_MODES),
    };
  });
  if (raw.heartbeats !== undefined && raw.heartbeats !== null) {
    const beats = section(raw.heartbeats, 'heartbeats');
    const states = Array.isArray(beats.states) && beats.states.length > 0 && beats.states.every((state) => typeof state === 'string') ? (beats.states as string[]) : fail('heartbeats.states must be a non-empty array of strings');
    profile.heartbeats = { route: oneOf(beats.route, 'heartbeats.route', ['/heartbeat/workers', '/v1/heartbeat'] as const), states };
  }
  return profile;
}
