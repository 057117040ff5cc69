import WebSocket from 'ws';
import { HarnessError, type Evidence } from '../../errors/harness-error.ts';
import { formatDuration } from '../../time/format-duration.ts';
import { FrameLog } from '../frame-log.ts';
import { SESSION_DEFAULTS } from '../session-client.ts';
import { SessionFailure, sessionFailure, type CloseInfo, type Diagnosis } from '../status-failure.ts';
import { openWebSocket } from '../ws-open.ts';
import { isFinal, parseStreamText, statusOf, stepOf, summarizeMessage, type StreamMessage } from './stream-message.ts';
import { trainingStreamUrl } from './stream-urls.ts';

/** The typed ways a training stream can fail (besides the shared `OPEN_TIMEOUT` / `CONNECT_FAILED`). */
export const StreamFailure = {
  /** The socket stayed open, but no message came within the per-message timeout. */
  stalled: 'STREAM_STALLED',
} as const;

export interface TrainingStreamOptions {
  /** `ws://host:port` */
  url: string;
  jobId: string;
  label: string;
  token?: string | undefined;
  openTimeoutMs?: number;
  /** No message for longer than this is a stall. */
  messageTimeoutMs: number;
  /** The first message may take this long: a job that has not started yet sends nothing (default: `messageTimeoutMs`). */
  firstMessageTimeoutMs?: number;
  maxPayload?: number;
  /** A gap between messages above this is a `warn` on the run timeline (the update-interval limit). */
  warnGapMs?: number;
  /** Ends the stream at once with `SESSION_ABORTED` (the task passes `shutdownAbortSignal()`). */
  signal?: AbortSignal | undefined;
}

/** How a stream ended, as one client saw it. */
export interface StreamEnd {
  /** The `completed`/`failed` message, when one came. */
  final: StreamMessage | undefined;
  /** The close, when the socket closed (by the server) before the harness gave up waiting. */
  close: CloseInfo | undefined;
  /** Final message → close. */
  closeAfterFinalMs: number | undefined;
  /** Set when no message came within the per-message timeout: the harness dropped the socket. */
  stalled: HarnessError | undefined;
}

/**
 * One client of a training progress stream (`WS /ws/training/{job_id}`, JSON TEXT frames): every
 * frame goes into `log` (and the run timeline) with its monotonic and epoch receive time, every
 * message into `messages` as it arrives, whether or not anyone reads it yet. Same opening, frame log
 * and typed failures as the policy session client.
 */
export class TrainingStreamClient implements AsyncDisposable {
  readonly url: string;
  readonly label: string;
  readonly log: FrameLog;
  readonly messages: StreamMessage[] = [];
  readonly options: Required<Pick<TrainingStreamOptions, 'openTimeoutMs' | 'messageTimeoutMs' | 'firstMessageTimeoutMs' | 'maxPayload'>>;
  readonly #startedAt = performance.now();
  readonly #closed: Promise<CloseInfo>;
  #resolveClosed: (info: CloseInfo) => void = () => undefined;
  #socket: WebSocket | undefined;
  #close: CloseInfo | undefined;
  #closingByClient = false;
  readonly #waiters = new Set<() => void>();
  #localPort: number | undefined;
  #failure: HarnessError | undefined;
  /**
   * This stream's own signal, following the shared one (the shutdown signal): its listeners live
   * and go with this client, so many streams open at once add none to the long-lived signal.
   */
  readonly #signal: AbortSignal | undefined;

  private constructor(readonly settings: TrainingStreamOptions) {
    this.#signal = settings.signal ? AbortSignal.any([settings.signal]) : undefined;
    this.url = trainingStreamUrl(settings.url, settings.jobId);
    this.label = settings.label;
    this.log = new FrameLog(settings.label);
    this.log.warnGapMs = settings.warnGapMs;
    this.options = {
      openTimeoutMs: settings.openTimeoutMs ?? SESSION_DEFAULTS.openTimeoutMs,
      messageTimeoutMs: settings.messageTimeoutMs,
      firstMessageTimeoutMs: settings.firstMessageTimeoutMs ?? settings.messageTimeoutMs,
      maxPayload: settings.maxPayload ?? SESSION_DEFAULTS.maxPayload,
    };
    this.#closed = new Promise((resolve) => (this.#resolveClosed = resolve));
  }

  /** Opens the stream. Throws `OPEN_TIMEOUT` or `CONNECT_FAILED` (with `httpStatus` and `body` when the upgrade was answered). */
  static async open(settings: TrainingStreamOptions): Promise<TrainingStreamClient> {
    const client = new TrainingStreamClient(settings);
    await openWebSocket({
      url: client.url,
      headers: settings.token ? { authorization: `Bearer ${settings.token}` } : {},
      maxPayload: client.options.maxPayload,
      openTimeoutMs: client.options.openTimeoutMs,
      log: client.log,
      startedAt: client.#startedAt,
      signal: client.#signal,
      abortError: () => client.#abortError(),
      notFoundHint: 'no training stream there: check --url (the stream is WS /ws/training/{job_id})',
      failure: (code, message, options) => client.#evidence(code, message, options),
      attach: (socket) => {
        client.#socket = socket;
        client.#signal?.addEventListener('abort', client.#onAbort, { once: true });
        socket.on('message', (data: WebSocket.RawData, isBinary: boolean) => client.#onMessage(data, isBinary));
        socket.on('close', (code: number, reason: Buffer) => client.#onClose(code, reason.toString('utf8')));
        socket.on('error', (error: Error) => client.log.record('local', 'error', 0, `${error.name}: ${error.message}`));
      },
      onOpen: (_socket, localPort) => (client.#localPort = localPort),
      onFailure: (error) => (client.#failure = error),
    });
    return client;
  }

  readonly #onAbort = (): void => {
    this.#failure ??= this.#abortError();
    this.terminate();
    this.#wakeAll();
  };

  #abortError(): HarnessError {
    const reason = this.#signal?.reason instanceof Error ? this.#signal.reason.message : 'aborted';
    return this.#evidence(SessionFailure.aborted, `the harness ended the ${this.label} stream (${reason}): not a server failure`, { diagnosis: 'aborted' });
  }

  get localPort(): number | undefined {
    return this.#localPort;
  }

  get closeInfo(): CloseInfo | undefined {
    return this.#close;
  }

  /** The connection broke without a close frame (1006) and the harness did not drop it: the server's side went away. */
  get dropped(): boolean {
    return this.#close?.code === 1006 && !this.#closingByClient;
  }

  get open(): boolean {
    return this.#socket?.readyState === WebSocket.OPEN;
  }

  #onMessage(data: WebSocket.RawData, isBinary: boolean): void {
    const atMs = performance.now();
    const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    const text = bytes.toString('utf8');
    const parsed = isBinary ? { problem: `a BINARY frame (${bytes.length} bytes); every message of this stream is JSON text` } : parseStreamText(text);
    const summary = parsed.value ? summarizeMessage(parsed.value) : (parsed.problem ?? '?');
    const record = this.log.record('in', isBinary ? 'binary' : 'text', bytes.length, summary, parsed.value ?? text.slice(0, 500), atMs);
    const message: StreamMessage = { seq: record.seq, atMs, epochMs: record.epochMs, text, value: parsed.value };
    if (parsed.problem) message.problem = parsed.problem;
    this.messages.push(message);
    this.#wakeAll();
  }

  #onClose(code: number, reason: string): void {
    this.#close = { code, reason, atMs: performance.now() };
    this.log.record('local', 'close', 0, `closed ${code}${reason ? ` ${JSON.stringify(reason)}` : ''}${this.#closingByClient ? ' (by the harness)' : ''}`);
    this.#signal?.removeEventListener('abort', this.#onAbort);
    this.#resolveClosed(this.#close);
    this.#wakeAll();
  }

  #wakeAll(): void {
    for (const wake of [...this.#waiters]) wake();
  }

  /** Resolves when something happens (a message or the close), or after `ms`. */
  #activity(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      this.#waiters.add(done);
    });
  }

  /**
   * The message at `index` (0-based), waiting for it; undefined when the socket closed first.
   * Throws `STREAM_STALLED` (and drops the socket) when no message came for the per-message timeout.
   */
  async messageAt(index: number, purpose = 'the next message'): Promise<StreamMessage | undefined> {
    for (;;) {
      const message = this.messages[index];
      if (message) return message;
      if (this.#failure) throw this.#failure;
      if (this.#close) return undefined;
      const lastAt = this.messages.at(-1)?.atMs ?? this.log.opened?.atMs ?? this.#startedAt;
      const silentMs = performance.now() - lastAt;
      const limitMs = this.messages.length === 0 ? this.options.firstMessageTimeoutMs : this.options.messageTimeoutMs;
      if (silentMs >= limitMs) throw this.#stall(purpose, silentMs, limitMs);
      await this.#activity(limitMs - silentMs);
    }
  }

  #stall(purpose: string, silentMs: number, limitMs: number): HarnessError {
    const last = this.messages.at(-1);
    const where = last?.value ? `the job was ${statusOf(last) ?? '?'}${stepOf(last) === undefined ? '' : ` at step ${stepOf(last)}/${String(last.value.total_steps ?? '?')}`}` : 'no message had come yet';
    const failure = this.#evidence(StreamFailure.stalled, `the ${this.label} stream stalled: no message for ${formatDuration(silentMs)} (${this.messages.length === 0 && limitMs !== this.options.messageTimeoutMs ? `the wait for a first message is ${formatDuration(limitMs)}` : `the per-message timeout is ${formatDuration(limitMs)}`}) while waiting for ${purpose}; ${where}; the socket was still open (${this.messages.length} messages so far)`, {
      diagnosis: 'stream-stalled',
      hint: 'a running job must send a message at least once a second, and a job whose trainer dies must send {"status": "failed", "complete": true} and close',
    });
    this.#failure = failure;
    this.terminate();
    return failure;
  }

  /** Reads to the end of the stream: the final message, then the server's close (given one more per-message timeout). */
  async readToEnd(): Promise<StreamEnd> {
    let final: StreamMessage | undefined;
    try {
      for (let index = 0; ; index += 1) {
        const message = await this.messageAt(index, index === 0 ? 'the first message' : 'the next message');
        if (!message) break;
        if (isFinal(message)) {
          final = message;
          break;
        }
      }
    } catch (error) {
      if (error instanceof HarnessError && error.code === StreamFailure.stalled) return { final, close: undefined, closeAfterFinalMs: undefined, stalled: error };
      throw error;
    }
    if (final && !this.#close) {
      const timer = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), this.options.messageTimeoutMs).unref());
      await Promise.race([this.#closed, timer]);
    }
    const close = this.#closingByClient ? undefined : this.#close;
    return { final, close, closeAfterFinalMs: final && close ? close.atMs - final.atMs : undefined, stalled: undefined };
  }

  #evidence(code: string, message: string, options: { diagnosis?: Diagnosis; hint?: string; extra?: Evidence } = {}): HarnessError {
    return sessionFailure(code, message, { log: this.log, url: this.url, model: undefined, phase: this.#close ? 'closed' : 'streaming', close: this.#close, diagnosis: options.diagnosis, hint: options.hint, extra: { session: this.label, job: this.settings.jobId, localPort: this.#localPort ?? null, ...options.extra } });
  }

  closed(): Promise<CloseInfo> {
    return this.#closed;
  }

  /** Drops the TCP connection without a close frame (a client that vanishes). */
  terminate(): void {
    this.#closingByClient = true;
    this.#socket?.terminate();
  }

  /** Closes normally (1000), dropping the socket if the server does not answer the close. */
  async close(): Promise<void> {
    const socket = this.#socket;
    if (!socket || this.#close || socket.readyState === WebSocket.CLOSED) return;
    this.#closingByClient = true;
    if (socket.readyState === WebSocket.OPEN) socket.close(1000);
    else socket.terminate();
    const timer = setTimeout(() => socket.terminate(), 2000);
    await this.#closed;
    clearTimeout(timer);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
