import { SEED_STATES, V1_HEALTH_STATUSES, type HeartbeatVersion } from './heartbeat.ts';

export type Validation = { ok: true; workerId: string; state: string; workerTimestamp?: string } | { ok: false; reason: string };

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function workerIdOf(body: Record<string, unknown>): { ok: true; value: string } | { ok: false; reason: string } {
  if (!('worker_id' in body)) return { ok: false, reason: 'missing worker_id' };
  if (typeof body.worker_id !== 'string') return { ok: false, reason: `worker_id must be a string, got ${typeof body.worker_id}` };
  if (body.worker_id.trim() === '') return { ok: false, reason: 'worker_id is empty' };
  return { ok: true, value: body.worker_id };
}

/**
 * Checks a parsed heartbeat body against its route's shape:
 * seed `{"worker_id", "state"}`, v1 `{"worker_id", "timestamp" (RFC 3339), "health_status"}`.
 */
export function validateHeartbeat(version: HeartbeatVersion, body: unknown): Validation {
  if (!isRecord(body)) return { ok: false, reason: `body must be a JSON object, got ${Array.isArray(body) ? 'an array' : body === null ? 'null' : typeof body}` };
  const id = workerIdOf(body);
  if (!id.ok) return id;
  if (version === 'seed') {
    if (!('state' in body)) return { ok: false, reason: 'missing state' };
    if (typeof body.state !== 'string' || !(SEED_STATES as readonly string[]).includes(body.state)) {
      return { ok: false, reason: `unknown state ${JSON.stringify(body.state)} (known: ${SEED_STATES.join(', ')})` };
    }
    return { ok: true, workerId: id.value, state: body.state };
  }
  if (typeof body.timestamp !== 'string') return { ok: false, reason: 'missing timestamp (RFC 3339 string)' };
  if (!RFC3339.test(body.timestamp) || Number.isNaN(Date.parse(body.timestamp))) return { ok: false, reason: `timestamp ${JSON.stringify(body.timestamp)} is not RFC 3339` };
  if (typeof body.health_status !== 'string' || !(V1_HEALTH_STATUSES as readonly string[]).includes(body.health_status)) {
    return { ok: false, reason: `unknown health_status ${JSON.stringify(body.health_status)} (known: ${V1_HEALTH_STATUSES.join(', ')})` };
  }
  return { ok: true, workerId: id.value, state: body.health_status, workerTimestamp: body.timestamp };
}
