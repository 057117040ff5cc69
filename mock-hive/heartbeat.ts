/** The two heartbeat shapes the worker family has used. */
export type HeartbeatVersion = 'seed' | 'v1';

/** Worker states of the seed protocol (`state`). */
export const SEED_STATES = ['Loading', 'Ready', 'Idle', 'Busy', 'Draining', 'Stopping', 'Stopped', 'Failed'] as const;
/** Health values of the later protocol (`health_status`). */
export const V1_HEALTH_STATUSES = ['loading', 'healthy', 'degraded', 'unhealthy'] as const;

/** One accepted heartbeat, as the hive recorded it. */
export interface Heartbeat {
  /** Sequence number across all workers, from 1. */
  seq: number;
  version: HeartbeatVersion;
  route: string;
  workerId: string;
  /** `state` (seed) or `health_status` (v1): what the worker says it is. */
  state: string;
  /** The worker's own timestamp (v1 only). */
  workerTimestamp?: string;
  /** Arrival time: wall clock (ms since epoch) and monotonic (performance.now()). */
  receivedAt: number;
  monotonicMs: number;
  body: Record<string, unknown>;
}

/** A heartbeat the hive answered with 400, and why. */
export interface RejectedHeartbeat {
  route: string;
  reason: string;
  receivedAt: number;
  status: number;
}
