import type { HarnessError } from '../../errors/harness-error.ts';
import type { ProcessGuard } from '../../process/process-guard.ts';
import type { StatusCheck } from '../checks/check-state.ts';
import type { HttpResponse } from '../../http/http-client.ts';
import { isFinal, type StreamMessage } from './stream-message.ts';
import type { LatencySource } from './stream-stats.ts';
import { TrainingStreamClient, type StreamEnd, type TrainingStreamOptions } from './training-stream-client.ts';

/** The client-side limits of a training run, in milliseconds. */
export interface TrainingTiming {
  openTimeoutMs: number;
  /** No message for longer than this is a stall. */
  messageTimeoutMs: number;
  /** A watcher's first message may take this long (a job not started yet sends nothing). */
  firstMessageTimeoutMs: number;
  /** Largest allowed gap between messages while the job runs (seed: 1 s). */
  maxIntervalMs: number;
  /** Trainer update → client, p95 (seed: < 1 s). */
  maxLatencyMs: number;
  /** How long the server's connection count may take to come back down. */
  countSettleMs: number;
  maxPayload: number;
}

/** The training server under test and how to talk to it. */
export interface TrainingTarget {
  /** `ws://host:port` */
  baseUrl: string;
  jobId: string;
  token?: string | undefined;
  /** Clients that watch the whole stream (the seed: 3). */
  clients: number;
  /** The per-job connection cap the server should enforce (the seed: 10). */
  maxConnections: number;
  timing: TrainingTiming;
  latencySource: LatencySource;
  /** Ends every stream when aborted: the task passes `shutdownAbortSignal()`. */
  signal?: AbortSignal | undefined;
}

export interface Observer {
  client: TrainingStreamClient;
  /** Resolves when the stream ended (final + close, close, or stall). */
  end: Promise<StreamEnd>;
}

export interface RestSample {
  /** `performance.now()` just before the request and on its answer. */
  sentAtMs: number;
  answeredAtMs: number;
  response: HttpResponse | undefined;
  error?: string;
}

/** What the checks of one training run share. */
export interface TrainingCheckState {
  target: TrainingTarget;
  guard?: ProcessGuard | undefined;
  observers: Observer[];
  /** The client that disconnects mid-stream. */
  leaver?: TrainingStreamClient;
  /** Why the clients could not connect, when they could not. */
  connectFailure?: HarnessError;
  /** A REST status read while the stream ran. */
  restSample?: Promise<RestSample>;
  /** Every client opened, closed at the end. */
  opened: TrainingStreamClient[];
  /** Set once a check failed on the server's exit: how it ended and during which check (later checks are skipped with it). */
  serverExit?: string;
}

export type TrainingCheck = StatusCheck<TrainingCheckState>;

export function newTrainingState(target: TrainingTarget, guard?: ProcessGuard): TrainingCheckState {
  return { target, guard, observers: [], opened: [] };
}

/** A client's options; `watcher`: it reads the job from before its start, so its first message may take `firstMessageTimeoutMs`. */
export function streamOptions(target: TrainingTarget, label: string, { jobId = target.jobId, watcher = false } = {}): TrainingStreamOptions {
  const { timing } = target;
  return { url: target.baseUrl, jobId, label, token: target.token, openTimeoutMs: timing.openTimeoutMs, messageTimeoutMs: timing.messageTimeoutMs, firstMessageTimeoutMs: watcher ? timing.firstMessageTimeoutMs : timing.messageTimeoutMs, maxPayload: timing.maxPayload, warnGapMs: timing.maxIntervalMs, signal: target.signal };
}

export function authHeaders(target: TrainingTarget): Record<string, string> {
  return target.token ? { authorization: `Bearer ${target.token}` } : {};
}

/** Checks that read the watched streams are skipped when the clients never connected. */
export function needsStreams(state: TrainingCheckState): string | undefined {
  if (state.observers.length > 0) return undefined;
  return `needs the watching clients, and they did not connect${state.connectFailure ? ` [${state.connectFailure.code}]` : ''}`;
}

/** The watchers' first message, when it was already the final one: the job had ended before the run. */
export function endedBeforeRun(state: TrainingCheckState): StreamMessage | undefined {
  const first = state.observers[0]?.client.messages[0];
  return first && isFinal(first) ? first : undefined;
}

/** `completed at 2025-11-06T14:30:00Z` */
export function endWords(final: StreamMessage): string {
  const stamp = final.value?.timestamp;
  return `${String(final.value?.status ?? 'final message')}${typeof stamp === 'string' ? ` at ${stamp}` : ''}`;
}

/** Checks that judge a running stream (gaps, latency, stalls): skipped when the job had ended before the run. */
export function needsRunningStream(state: TrainingCheckState): string | undefined {
  const missing = needsStreams(state);
  if (missing) return missing;
  const ended = endedBeforeRun(state);
  return ended ? `the job had already ended (${endWords(ended)}) before the run: every client got only the final message, so there was no running stream to judge; point --job at a job that runs for the whole check` : undefined;
}

/** The first watcher's latest message, if it is the final one: the job is over. */
export function jobEnded(state: TrainingCheckState): StreamMessage | undefined {
  const last = state.observers[0]?.client.messages.at(-1);
  return last && isFinal(last) ? last : undefined;
}

/** Checks that need the job still running: skipped once it ended. */
export function needsRunningJob(state: TrainingCheckState): string | undefined {
  const missing = needsStreams(state);
  if (missing) return missing;
  const before = endedBeforeRun(state);
  if (before) return needsRunningStream(state);
  const ended = jobEnded(state);
  if (ended) return `the job ended (${String(ended.value?.status)}) before this check could run: use a longer job`;
  if (state.observers.some((observer) => !observer.client.open)) return 'a watching client lost its stream before this check could run';
  return undefined;
}

export async function settleEnds(state: TrainingCheckState): Promise<StreamEnd[]> {
  return await Promise.all(state.observers.map((observer) => observer.end));
}

export async function closeTrainingClients(state: TrainingCheckState): Promise<void> {
  await Promise.allSettled(state.opened.splice(0).map((client) => client.close()));
}
