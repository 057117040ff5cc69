import WebSocket from 'ws';
import { HarnessError, isHarnessError, type Evidence } from '../errors/harness-error.ts';
import { shutdownSignal } from '../process/guard-registry.ts';
import { formatDuration } from '../time/format-duration.ts';
import { FrameLog, type FrameGap, type FrameRecord } from './frame-log.ts';
import { summarize, toJsonSafe } from './json-safe.ts';
import { decodeMessage, encodeMessage } from './ndarray-codec.ts';
import { sessionUrl } from './session-url.ts';
import { openWebSocket } from './ws-open.ts';
import { describeHandshakeClose, diagnoseSilence, sessionFailure, SessionFailure, type CloseInfo, type Diagnosis } from './status-failure.ts';

export interface SessionClientOptions {
  /** Base URL of the policy server: `ws://host:port`. */
  url: string;
  /** Model/checkpoint id; the server's default model when absent. */
  model?: string;
  /** Sent as `Authorization: Bearer <token>` on the upgrade. */
  token?: string;
  headers?: Record<string, string>;
  /** TCP connect + WebSocket upgrade (upstream: 10 s). */
  openTimeoutMs?: number;
  /** Keepalive ping period (upstream: 20 s). */
  pingIntervalMs?: number;
  /** How long a ping may go unanswered (upstream: 20 s). */
  pingTimeoutMs?: number;
  /** Each message must arrive within this, measured per message, not in total (upstream: 30 s). */
  messageTimeoutMs?: number;
  /** Largest inbound message (upstream client: 1 MiB). */
  maxPayload?: number;
  /** Name of the session in logs and reports. */
  label?: string;
  /** A server frame after a silence above this is a `warn` on the run timeline (the keepalive). */
  warnGapMs?: number;
  /** Called for every `waiting`/`loading` frame (live progress). */
  onStatus?: (frame: StatusFrame) => void;
  /**
   * Aborting it ends the session at once with `SESSION_ABORTED` (never read as the server's
   * failure): pass `shutdownAbortSignal()` so Ctrl-C closes sessions before servers are stopped.
   */
  signal?: AbortSignal;
}

export const SESSION_DEFAULTS = {
  openTimeoutMs: 10_000,
  pingIntervalMs: 20_000,
  pingTimeoutMs: 20_000,
  messageTimeoutMs: 30_000,
  maxPayload: 1024 * 1024,
} as const;

export interface StatusFrame {
  status: 'waiting' | 'loading';
  message: string;
  seq: number;
  /** Since the socket opened. */
  sinceOpenMs: number;
}

export interface ReadyInfo {
  meta: Record<string, unknown>;
  statusFrames: StatusFrame[];
  /** Connect + upgrade. */
  connectMs: number;
  /** Socket open → `ready` frame. */
  timeToReadyMs: number;
  readySeq: number;
  /** The longest silence from open to `ready`. */
  largestGap: FrameGap | undefined;
}

export type InferenceReply = { ok: true; result: unknown; latencyMs: number } | { ok: false; error: string; latencyMs: number };

interface Inbound {
  record: FrameRecord;
  value: unknown;
}

type Phase = 'connecting' | 'handshake' | 'ready' | 'closed';

const SERVER_CLOSE_GRACE_MS = 5000;
const CLIENT_CLOSE_GRACE_MS = 2000;

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype;
}

function toBuffer(data: WebSocket.RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/**
 * One session of the policy status protocol: connects to `/api/v1/session[/<model>]`, runs the
 * status loop with a per-message timeout and WebSocket keepalive pings, then sends observations
 * and reads results. Every frame goes into `log` with a monotonic timestamp. Each way it can
 * fail is a `HarnessError` with a `SessionFailure` code, the frame timeline, the close code and
 * the time since the last frame. Dispose it (`await using`) to close the socket.
 */
export class SessionClient implements AsyncDisposable {
  readonly url: string;
  readonly model: string | undefined;
  readonly label: string;
  readonly log: FrameLog;
  readonly options: Required<Pick<SessionClientOptions, keyof typeof SESSION_DEFAULTS>>;

  readonly #token: string | undefined;
  readonly #headers: Record<string, string>;
  readonly #onStatus: SessionClientOptions['onStatus'];
  readonly #signal: AbortSignal | undefined;
  readonly #onAbort = (): void => this.#abort();
  readonly #startedAt = performance.now();
  readonly #closed: Promise<CloseInfo>;
  #resolveClosed: (info: CloseInfo) => void = () => undefined;
  #socket: WebSocket | undefined;
  #phase: Phase = 'connecting';
  #inbox: Inbound[] = [];
  #waiter: { resolve: (item: Inbound) => void; reject: (error: HarnessError) => void } | undefined;
  #terminal: HarnessError | undefined;
  #close: CloseInfo | undefined;
  #socketError: Error | undefined;
  #errorFrame: string | undefined;
  #closingByClient = false;
  #inferring = false;
  #pingTimer: NodeJS.Timeout | undefined;
  #pongTimer: NodeJS.Timeout | undefined;
  #pingSettled: Array<() => void> = [];
  #localPort: number | undefined;

  private constructor(options: SessionClientOptions) {
    this.url = sessionUrl(options.url, options.model);
    this.model = options.model;
    this.label = options.label ?? 'policy';
    this.log = new FrameLog(this.label);
    this.log.warnGapMs = options.warnGapMs;
    this.options = {
      openTimeoutMs: options.openTimeoutMs ?? SESSION_DEFAULTS.openTimeoutMs,
      pingIntervalMs: options.pingIntervalMs ?? SESSION_DEFAULTS.pingIntervalMs,
      pingTimeoutMs: options.pingTimeoutMs ?? SESSION_DEFAULTS.pingTimeoutMs,
      messageTimeoutMs: options.messageTimeoutMs ?? SESSION_DEFAULTS.messageTimeoutMs,
      maxPayload: options.maxPayload ?? SESSION_DEFAULTS.maxPayload,
    };
    this.#token = options.token;
    this.#headers = { ...options.headers };
    this.#onStatus = options.onStatus;
    // Its own signal following the shared one: listeners stay on this session, not on the long-lived signal.
    this.#signal = options.signal ? AbortSignal.any([options.signal]) : undefined;
    this.#closed = new Promise((resolve) => (this.#resolveClosed = resolve));
  }

  /** Opens the socket. Throws `OPEN_TIMEOUT` or `CONNECT_FAILED`. */
  static async open(options: SessionClientOptions): Promise<SessionClient> {
    const client = new SessionClient(options);
    await client.#open();
    return client;
  }

  /** Opens the socket and runs the status loop; closes the socket again when either fails. */
  static async connect(options: SessionClientOptions): Promise<{ client: SessionClient; ready: ReadyInfo }> {
    const client = new SessionClient(options);
    try {
      await client.#open();
      const ready = await client.waitReady();
      return { client, ready };
    } catch (error) {
      await client.close();
      throw error;
    }
  }

  get phase(): Phase {
    return this.#phase;
  }

  /** The client's TCP port: the server logs it as the peer port. */
  get localPort(): number | undefined {
    return this.#localPort;
  }

  get closeInfo(): CloseInfo | undefined {
    return this.#close;
  }

  /** The failure that ended the session, if one did. */
  get failure(): HarnessError | undefined {
    return this.#terminal;
  }

  // ------------------------------------------------------------------ connect

  async #open(): Promise<void> {
    const headers = { ...this.#headers, ...(this.#token ? { authorization: `Bearer ${this.#token}` } : {}) };
    try {
      await openWebSocket({
        url: this.url,
        headers,
        maxPayload: this.options.maxPayload,
        openTimeoutMs: this.options.openTimeoutMs,
        log: this.log,
        startedAt: this.#startedAt,
        signal: this.#signal,
        abortError: () => this.#abortError(),
        notFoundHint: 'no session endpoint there: check --url and --model',
        failure: (code, message, options) => this.#failure(code, message, options),
        attach: (socket) => {
          this.#socket = socket;
          this.#signal?.addEventListener('abort', this.#onAbort, { once: true });
          socket.on('error', (error: NodeJS.ErrnoException) => {
            this.#socketError = error;
            if (this.#phase !== 'connecting') this.log.record('local', 'error', 0, `${error.name}: ${error.message}`);
          });
          socket.on('message', (data: WebSocket.RawData, isBinary: boolean) => this.#onMessage(toBuffer(data), isBinary));
          socket.on('ping', (data: Buffer) => this.log.record('in', 'ping', data.length, 'ping from the server (answered with a pong)'));
          socket.on('pong', (data: Buffer) => this.#onPong(data));
          socket.on('close', (code: number, reason: Buffer) => this.#onClose(code, reason.toString('utf8')));
        },
        onOpen: (_socket, localPort) => {
          this.#localPort = localPort;
          this.#phase = 'handshake';
          this.#startKeepalive();
        },
        onFailure: (error) => {
          this.#terminal ??= error;
          this.#phase = 'closed';
        },
      });
    } catch (error) {
      this.#terminal ??= error as HarnessError;
      this.#phase = 'closed';
      throw error;
    }
  }

  // ------------------------------------------------------------------ inbound

  #onMessage(bytes: Buffer, isBinary: boolean): void {
    const receivedAt = performance.now(); // before decoding, so decode time never shows up in gaps
    if (!isBinary) {
      const text = bytes.toString('utf8');
      this.log.record('in', 'text', bytes.length, `TEXT ${JSON.stringify(text.slice(0, 120))}`, text.slice(0, 500), receivedAt);
      this.#violation(`the server sent a TEXT frame (${bytes.length} bytes: ${JSON.stringify(text.slice(0, 80))}); every frame of this protocol is BINARY msgpack`, { textFrame: text.slice(0, 500) });
      return;
    }
    let value: unknown;
    try {
      value = decodeMessage(bytes);
    } catch (error) {
      const codec = isHarnessError(error) ? error : new HarnessError('MSGPACK_DECODE', String(error));
      this.log.record('in', 'binary', bytes.length, `undecodable: [${codec.code}] ${codec.message}`, { hex: bytes.subarray(0, 64).toString('hex') }, receivedAt);
      this.#violation(`a frame from the server could not be decoded: [${codec.code}] ${codec.message}`, { codecCode: codec.code });
      return;
    }
    const record = this.log.record('in', 'binary', bytes.length, summarize(value), toJsonSafe(value), receivedAt);
    const item = { record, value };
    if (this.#waiter) this.#waiter.resolve(item);
    else this.#inbox.push(item);
  }

  #onClose(code: number, reason: string): void {
    const close: CloseInfo = { code, reason, atMs: performance.now() };
    this.#close = close;
    this.log.record('local', 'close', 0, `closed ${code}${reason ? ` ${JSON.stringify(reason)}` : ''}${this.#closingByClient ? ' (by the harness)' : ''}`);
    this.#stopKeepalive();
    this.#signal?.removeEventListener('abort', this.#onAbort);
    const phase = this.#phase;
    this.#phase = 'closed';
    if (!this.#terminal) {
      if (this.#closingByClient) {
        this.#terminal = new HarnessError('SESSION_CLOSED', `the harness closed the ${this.label} session`);
      } else if (shutdownSignal()) {
        // The harness is stopping the servers it started: a drop now is its own teardown, not a crash.
        this.#terminal = this.#abortError();
      } else if (phase === 'handshake' && this.#errorFrame !== undefined) {
        this.#terminal = this.#serverError(close);
      } else if (this.#socketError && (this.#socketError as NodeJS.ErrnoException).code?.startsWith('WS_ERR_')) {
        const errorCode = (this.#socketError as NodeJS.ErrnoException).code;
        const tooBig = errorCode === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH';
        this.#terminal = this.#failure(SessionFailure.protocolViolation, `the server sent an invalid WebSocket frame (${errorCode}: ${this.#socketError.message}${tooBig ? `; the limit is ${this.options.maxPayload} bytes` : ''}), so the client dropped the connection`, {
          diagnosis: 'protocol-violation',
          hint: tooBig ? 'upstream clients accept at most 1 MiB per message; send smaller results (or raise --max-payload if your clients do)' : undefined,
          extra: { errorCode },
        });
      } else if (phase === 'handshake') {
        const described = describeHandshakeClose(close, this.log.sinceLastFrameMs(close.atMs), this.log.lastInbound() ? 'the last frame' : 'the socket opened, before any frame');
        this.#terminal = this.#failure(SessionFailure.closedDuringHandshake, `${this.#handshakeSoFar()}: ${described.text}`, { diagnosis: described.diagnosis, hint: described.hint });
      } else {
        const described = code === 1006 ? 'dropped without a close frame (1006): the server process died' : `closed by the server (${code}${reason ? ` ${JSON.stringify(reason)}` : ''})`;
        this.#terminal = this.#failure(SessionFailure.connectionClosed, `the ${this.label} session ${described} after ready`, { diagnosis: code === 1006 ? 'crash' : 'closed-without-error' });
      }
    }
    this.#waiter?.reject(this.#terminal);
    this.#resolveClosed(close);
  }

  #handshakeSoFar(): string {
    const frames = this.log.inbound().length;
    return `no ready from ${this.url} after ${frames} frame${frames === 1 ? '' : 's'}`;
  }

  #serverError(close: CloseInfo | undefined): HarnessError {
    const closeText = close ? `then closed ${close.code}${close.reason ? ` ${JSON.stringify(close.reason)}` : ''}` : `and did not close the connection within ${formatDuration(SERVER_CLOSE_GRACE_MS)}`;
    return this.#failure(SessionFailure.serverError, `server error: ${this.#errorFrame ?? ''} (${closeText})`, { diagnosis: 'server-error', close, extra: { serverError: this.#errorFrame } });
  }

  #next(purpose: string): Promise<Inbound> {
    const queued = this.#inbox.shift();
    if (queued) return Promise.resolve(queued);
    if (this.#terminal) return Promise.reject(this.#terminal);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiter = undefined;
        const failure = this.#messageTimeout(purpose);
        this.#fail(failure);
        reject(failure);
      }, this.options.messageTimeoutMs);
      this.#waiter = {
        resolve: (item) => {
          clearTimeout(timer);
          this.#waiter = undefined;
          resolve(item);
        },
        reject: (error) => {
          clearTimeout(timer);
          this.#waiter = undefined;
          reject(error);
        },
      };
    });
  }

  #messageTimeout(purpose: string): HarnessError {
    const sinceLast = this.log.sinceLastFrameMs() ?? 0;
    const last = this.log.lastInbound();
    const silence = diagnoseSilence(this.log, this.options.pingIntervalMs);
    const lastText = last ? `the last one (${last.summary}) came ${formatDuration(sinceLast)} ago` : `none came since the socket opened ${formatDuration(sinceLast)} ago`;
    const frames = this.log.inbound().length;
    const message = `no frame within the per-message timeout of ${formatDuration(this.options.messageTimeoutMs)} while waiting for ${purpose} (${frames} frame${frames === 1 ? '' : 's'} so far; ${lastText}); ${silence.text}`;
    const hint = silence.diagnosis === 'event-loop-blocked' ? 'load the model off the event loop (a thread or subprocess) and send a loading frame at least every few seconds' : 'send a status frame at least every few seconds while loading';
    return this.#failure(SessionFailure.messageTimeout, message, { diagnosis: silence.diagnosis, hint });
  }

  // ------------------------------------------------------------------ keepalive

  #startKeepalive(): void {
    this.#pingTimer = setInterval(() => this.#ping(), this.options.pingIntervalMs);
  }

  #stopKeepalive(): void {
    clearInterval(this.#pingTimer);
    clearTimeout(this.#pongTimer);
    this.#pingTimer = undefined;
    this.#pongTimer = undefined;
    this.#settlePing();
  }

  #settlePing(): void {
    for (const resolve of this.#pingSettled.splice(0)) resolve();
  }

  /**
   * Resolves once no keepalive ping is in flight: its pong came, the ping timeout passed, or the
   * session ended. A server whose event loop was blocked answers a ping only when the block ends,
   * often just after the frame that ended the silence: wait for this before judging the pongs.
   */
  pingSettled(): Promise<void> {
    if (!this.#pongTimer) return Promise.resolve();
    return new Promise((resolve) => this.#pingSettled.push(resolve));
  }

  #ping(): void {
    const socket = this.#socket;
    if (this.#pongTimer || !socket || socket.readyState !== WebSocket.OPEN) return;
    const sent = this.log.record('out', 'ping', 0, 'keepalive ping');
    socket.ping();
    this.#pongTimer = setTimeout(() => this.#keepaliveLost(sent), this.options.pingTimeoutMs);
  }

  #onPong(data: Buffer): void {
    this.log.record('in', 'pong', data.length, 'pong');
    clearTimeout(this.#pongTimer);
    this.#pongTimer = undefined;
    this.#settlePing();
  }

  #keepaliveLost(ping: FrameRecord): void {
    this.#pongTimer = undefined;
    this.#settlePing();
    const framesSincePing = this.log.inbound().filter((record) => record.atMs > ping.atMs).length;
    const sinceLast = this.log.sinceLastFrameMs() ?? 0;
    let diagnosis: Diagnosis = 'keepalive-lost';
    let why = `frames still arrived (${framesSincePing} since the ping), but pings go unanswered`;
    if (framesSincePing === 0) {
      diagnosis = 'event-loop-blocked';
      why = `and no frame came for ${formatDuration(sinceLast)}: the server blocks its event loop while loading (no frames, no pongs), e.g. it loads the model in-process`;
    }
    const frames = this.log.inbound().length;
    const where = this.#phase === 'handshake' ? ` during the handshake (${frames} frame${frames === 1 ? '' : 's'} so far)` : '';
    const failure = this.#failure(SessionFailure.keepaliveTimeout, `keepalive ping timeout${where}: no pong within ${formatDuration(this.options.pingTimeoutMs)} of the ping sent ${formatDuration(performance.now() - ping.atMs)} ago, ${why}`, {
      diagnosis,
      hint: diagnosis === 'event-loop-blocked' ? 'load the model off the event loop (a thread or subprocess) so the server keeps answering pings and sending status frames' : undefined,
    });
    this.#fail(failure);
  }

  // ------------------------------------------------------------------ abort

  #abortError(): HarnessError {
    const signal = shutdownSignal();
    const reason = this.#signal?.reason instanceof Error ? this.#signal.reason.message : signal ? `interrupted by ${signal}` : 'aborted';
    return this.#failure(SessionFailure.aborted, `the harness ended the ${this.label} session (${reason}) ${this.#phase === 'ready' ? 'after ready' : `during the ${this.#phase}`}: not a server failure`, { diagnosis: 'aborted' });
  }

  #abort(): void {
    this.#fail(this.#abortError());
  }

  // ------------------------------------------------------------------ failures

  #failure(code: string, message: string, options: { diagnosis?: Diagnosis; hint?: string; close?: CloseInfo | undefined; extra?: Evidence } = {}): HarnessError {
    return sessionFailure(code, message, {
      log: this.log,
      url: this.url,
      model: this.model,
      phase: this.#phase,
      close: options.close ?? this.#close,
      diagnosis: options.diagnosis,
      hint: options.hint,
      extra: { session: this.label, localPort: this.#localPort ?? null, settings: this.options, ...options.extra },
    });
  }

  /** Ends the session with `failure`: pending and later receives throw it; the socket is dropped. */
  #fail(failure: HarnessError, closeCode?: number): void {
    if (this.#terminal) return;
    this.#terminal = failure;
    this.#stopKeepalive();
    this.#waiter?.reject(failure);
    const socket = this.#socket;
    if (!socket) return;
    if (closeCode !== undefined && socket.readyState === WebSocket.OPEN) {
      socket.close(closeCode);
      setTimeout(() => socket.terminate(), CLIENT_CLOSE_GRACE_MS).unref();
    } else {
      socket.terminate();
    }
  }

  #violation(message: string, extra: Evidence = {}): HarnessError {
    const failure = this.#failure(SessionFailure.protocolViolation, message, { diagnosis: 'protocol-violation', extra });
    this.#fail(failure, 1002);
    return this.#terminal ?? failure;
  }

  // ------------------------------------------------------------------ protocol

  /**
   * The status loop: reads `waiting`/`loading` frames until `ready` (returns its meta) or a
   * failure. Each frame must come within the per-message timeout; the total is unbounded.
   */
  async waitReady(): Promise<ReadyInfo> {
    if (this.#phase !== 'handshake') throw this.#terminal ?? new HarnessError('SESSION_STATE', `waitReady() in phase ${this.#phase}`);
    const statusFrames: StatusFrame[] = [];
    const openedAt = this.log.opened?.atMs ?? this.#startedAt;
    for (;;) {
      const { record, value } = await this.#next(statusFrames.length ? 'the next status frame' : 'the first status frame');
      if (!isMap(value)) throw this.#violation(`a handshake frame is not a map: ${record.summary}`);
      const status = value.status;
      if (status === 'ready') {
        if (!isMap(value.meta)) throw this.#violation(`the ready frame has no meta map: ${record.summary}`);
        this.#phase = 'ready';
        return {
          meta: value.meta,
          statusFrames,
          connectMs: openedAt - this.#startedAt,
          timeToReadyMs: record.atMs - openedAt,
          readySeq: record.seq,
          largestGap: this.log.largestGap(record.seq),
        };
      }
      if (status === 'waiting' || status === 'loading') {
        const frame: StatusFrame = { status, message: typeof value.message === 'string' ? value.message : status, seq: record.seq, sinceOpenMs: record.atMs - openedAt };
        statusFrames.push(frame);
        this.#onStatus?.(frame);
        continue;
      }
      if (status === 'error' || (status === undefined && 'error' in value)) {
        this.#errorFrame = typeof value.error === 'string' ? value.error : JSON.stringify(toJsonSafe(value.error));
        const closed = await Promise.race([this.#closed, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), Math.min(this.options.messageTimeoutMs, SERVER_CLOSE_GRACE_MS)).unref())]);
        if (!closed) this.#fail(this.#serverError(undefined), 1000);
        throw this.#terminal ?? this.#serverError(closed);
      }
      throw this.#violation(`unknown status ${JSON.stringify(toJsonSafe(status))} in a handshake frame (expected waiting, loading, ready or error): ${record.summary}`);
    }
  }

  /** The next frame's decoded content without consuming it (still bounded by the per-message timeout). */
  async peek(): Promise<unknown> {
    const item = await this.#next('a frame');
    this.#inbox.unshift(item);
    return item.value;
  }

  /** Sends one observation and reads the reply: a result, or an inference error (the session stays open). */
  async infer(observation: unknown): Promise<InferenceReply> {
    if (this.#terminal) throw this.#terminal;
    if (this.#phase !== 'ready') throw new HarnessError('SESSION_STATE', `infer() before ready (phase ${this.#phase})`);
    if (this.#inferring) throw new HarnessError('SESSION_STATE', 'one inference at a time per session: the protocol has no request ids');
    this.#inferring = true;
    try {
      const bytes = encodeMessage(observation);
      const started = performance.now();
      await this.#send(bytes, summarize(observation), toJsonSafe(observation));
      const { record, value } = await this.#next('an inference reply');
      const latencyMs = record.atMs - started;
      if (!isMap(value)) throw this.#violation(`an inference reply is not a map: ${record.summary}`);
      if ('status' in value) throw this.#violation(`a status frame came after ready, as the reply to an observation: ${record.summary}`);
      if ('error' in value) return { ok: false, error: typeof value.error === 'string' ? value.error : JSON.stringify(toJsonSafe(value.error)), latencyMs };
      if ('result' in value) return { ok: true, result: value.result, latencyMs };
      throw this.#violation(`an inference reply has neither result nor error: ${record.summary}`);
    } finally {
      this.#inferring = false;
    }
  }

  #send(bytes: Uint8Array, summary: string, content: unknown): Promise<void> {
    const socket = this.#socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) return Promise.reject(this.#terminal ?? new HarnessError(SessionFailure.connectionClosed, `the ${this.label} session is not open`));
    this.log.record('out', 'binary', bytes.byteLength, summary, content);
    return new Promise((resolve, reject) => {
      socket.send(bytes, { binary: true }, (error) => (error ? reject(this.#terminal ?? new HarnessError(SessionFailure.connectionClosed, `sending on the ${this.label} session failed: ${error.message}`)) : resolve()));
    });
  }

  /** Sends raw bytes or text as they are (for protocol tests). */
  async sendRaw(data: Uint8Array | string): Promise<void> {
    const socket = this.#socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) throw this.#terminal ?? new HarnessError(SessionFailure.connectionClosed, 'not open');
    const size = typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
    this.log.record('out', typeof data === 'string' ? 'text' : 'binary', size, typeof data === 'string' ? `TEXT ${JSON.stringify(data.slice(0, 80))}` : 'raw bytes');
    await new Promise<void>((resolve, reject) => socket.send(data, { binary: typeof data !== 'string' }, (error) => (error ? reject(error) : resolve())));
  }

  /** Resolves when the socket has closed (by either side), with its close code. */
  closed(): Promise<CloseInfo> {
    return this.#closed;
  }

  /** Closes the socket (normal closure), dropping it if the server does not answer the close. */
  async close(code = 1000, reason = ''): Promise<void> {
    const socket = this.#socket;
    this.#stopKeepalive();
    if (!socket || this.#close || socket.readyState === WebSocket.CLOSED) return;
    this.#closingByClient = true;
    if (socket.readyState === WebSocket.OPEN) socket.close(code, reason);
    else socket.terminate();
    const timer = setTimeout(() => socket.terminate(), CLIENT_CLOSE_GRACE_MS);
    await this.#closed;
    clearTimeout(timer);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
