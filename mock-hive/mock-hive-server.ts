import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { HarnessError } from '../tasks/lib/errors/harness-error.ts';
import type { HeartbeatVersion } from './heartbeat.ts';
import { HeartbeatLog } from './heartbeat-log.ts';
import { validateHeartbeat } from './heartbeat-validation.ts';
import { parseSpawnRequest } from './spawn-request.ts';
import { WorkerPool, workerJson, type WorkerPoolOptions } from './worker-pool.ts';

export interface MockHiveOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** The flag that set `port`, named when it is taken (`--port` for the mock-hive task; default --hive-port). */
  portFlag?: string;
  /** Always loopback unless a caller insists. */
  host?: string;
  /** Bodies above this many bytes are refused. */
  maxBodyBytes?: number;
  /** Heartbeat log file (one line per heartbeat). */
  logFile?: string;
  /** Called with every log line (live echo in the standalone hive). */
  onLine?: (line: string) => void;
  /**
   * The run's hive token: when set, every request but `GET /v1/health` must carry
   * `Authorization: Bearer <token>`; one without it (or with another) gets 401 and a line in the
   * hive log, and registers nothing. Required when the hive listens beyond loopback.
   */
  token?: string;
  /** Makes it a hive that spawns workers (`POST /v1/workers/spawn`, list, stop); without it the hive only receives heartbeats. */
  pool?: WorkerPoolOptions;
}

const ROUTES: Record<string, HeartbeatVersion> = { '/heartbeat/workers': 'seed', '/v1/heartbeat': 'v1' };
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

class BodyTooLarge extends Error {}

/** 127.0.0.0/8, ::1 and localhost: addresses only this machine reaches. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw new BodyTooLarge(`body of ${declared} bytes exceeds the ${limit}-byte limit`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new BodyTooLarge(`body exceeds the ${limit}-byte limit`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The mock hive: accepts worker heartbeats at `POST /heartbeat/workers` (seed shape) and
 * `POST /v1/heartbeat` (later shape), validates them (400 with a reason otherwise; nothing a
 * worker sends can crash it), and records them in a `HeartbeatLog`. Also answers the pool
 * preflight `GET /v1/health` and lists what it received at `GET /v1/heartbeats`.
 */
export class MockHive implements AsyncDisposable {
  readonly log: HeartbeatLog;
  /** The workers this hive spawned or heard from (a spawning hive only). */
  readonly pool: WorkerPool | undefined;
  readonly #server: Server;
  readonly #maxBody: number;
  readonly #onLine: ((line: string) => void) | undefined;
  readonly #token: Buffer | undefined;
  readonly #host: string;
  #closed: Promise<void> | undefined;

  private constructor(server: Server, options: MockHiveOptions) {
    this.#server = server;
    this.#maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.#onLine = options.onLine;
    this.#token = options.token === undefined ? undefined : Buffer.from(options.token);
    this.#host = options.host ?? '127.0.0.1';
    this.log = new HeartbeatLog(options.logFile);
    if (this.#onLine) this.log.subscribe(() => this.#onLine?.(this.log.lines().at(-1) ?? ''));
    if (options.pool) {
      const pool = new WorkerPool(options.pool);
      pool.onEvent((event) => this.log.note(event));
      this.pool = pool;
    }
  }

  static async start(options: MockHiveOptions = {}): Promise<MockHive> {
    const server = createServer();
    const hive = new MockHive(server, options);
    server.on('request', (req, res) => void hive.#handle(req, res));
    server.on('clientError', (_error, socket) => socket.destroy());
    const host = options.host ?? '127.0.0.1';
    if (!isLoopback(host) && !options.token) {
      throw new HarnessError('HIVE_TOKEN_REQUIRED', `a mock hive listening on ${host} (beyond loopback) needs a token`, { kind: 'usage', hint: 'pass a per-run token (MockHive.start({ token })); workers send it as Authorization: Bearer <token>' });
    }
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) =>
        reject(
          new HarnessError('PORT_IN_USE', `mock hive could not listen on ${host}:${options.port ?? 0}: ${error.code ?? error.message}`, {
            kind: 'environment',
            cause: error,
            evidence: { host, port: options.port },
            hint: error.code === 'EADDRINUSE' ? `pick another ${options.portFlag ?? '--hive-port'} or omit it to get a free one` : undefined,
          }),
        ),
      );
      server.listen(options.port ?? 0, host, resolve);
    });
    return hive;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  /** The address it listens on (127.0.0.1 unless a caller asked for another). */
  get host(): string {
    return this.#host;
  }

  get url(): string {
    const host = this.#host === '0.0.0.0' || this.#host === '::' ? '127.0.0.1' : this.#host;
    return `http://${isIP(host) === 6 ? `[${host}]` : host}:${this.port}`;
  }

  /** True when requests must carry the run's token. */
  get requiresToken(): boolean {
    return this.#token !== undefined;
  }

  /**
   * With a token: anything but `GET /v1/health` must carry `Authorization: Bearer <token>`.
   * Refused requests get 401 and a hive log line (heartbeats as rejected heartbeats, so the
   * worker check's hint names them); the token itself is never logged.
   */
  #authorized(req: IncomingMessage, res: ServerResponse, path: string): boolean {
    if (!this.#token || (req.method === 'GET' && path === '/v1/health')) return true;
    const header = req.headers.authorization ?? '';
    const given = /^bearer\s+(\S+)$/i.exec(header)?.[1];
    const ok = given !== undefined && given.length === this.#token.length && timingSafeEqual(Buffer.from(given), this.#token);
    if (ok) return true;
    const reason = header === '' ? 'no hive token (Authorization: Bearer <token> missing)' : given === undefined ? 'Authorization is not "Bearer <token>"' : 'wrong hive token';
    const from = req.socket.remoteAddress ?? 'unknown address';
    if (ROUTES[path] !== undefined) this.log.reject(path, 401, `${reason}, from ${from}`);
    else this.log.note(`Refused ${req.method} ${path} from ${from} (401): ${reason}`);
    req.resume();
    res.setHeader('www-authenticate', 'Bearer realm="hive"');
    send(res, 401, { status: 'error', error: 'unauthorized', reason: `${reason}: this hive accepts only requests that carry the run's hive token` });
    return false;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      if (!this.#authorized(req, res, path)) return;
      const version = ROUTES[path];
      if (version !== undefined) {
        if (req.method !== 'POST') return send(res, 405, { status: 'error', error: 'method_not_allowed', reason: `${path} takes POST` });
        return await this.#heartbeat(version, path, req, res);
      }
      if (req.method === 'GET' && path === '/v1/health') return send(res, 200, { status: 'healthy', heartbeats: this.log.count(), ...(this.pool ? { workers: this.pool.list().length } : {}) });
      if (path.startsWith('/v1/workers')) return await this.#workers(req, res, path);
      if (req.method === 'GET' && path === '/v1/heartbeats') return send(res, 200, { heartbeats: this.log.heartbeats(), rejected: this.log.rejected() });
      send(res, 404, { status: 'error', error: 'not_found', reason: `no route ${req.method} ${path}` });
    } catch (error) {
      if (!res.headersSent) send(res, 500, { status: 'error', error: 'internal', reason: (error as Error).message });
      else res.destroy();
    }
  }

  /**
   * The spawning hive's worker API: `POST /v1/workers/spawn`, `GET /v1/workers` (also
   * `/v1/workers/list`), `GET /v1/workers/<id>`, `POST /v1/workers/<id>/stop`.
   */
  async #workers(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const pool = this.pool;
    if (!pool) return send(res, 404, { status: 'error', error: 'not_found', reason: 'this hive does not spawn workers (started without a worker pool)' });
    if (path === '/v1/workers/spawn') {
      if (req.method !== 'POST') return send(res, 405, { status: 'error', error: 'method_not_allowed', reason: `${path} takes POST` });
      let body: unknown;
      try {
        body = JSON.parse(await readBody(req, this.#maxBody));
      } catch (error) {
        return send(res, 400, { status: 'error', error: 'bad_json', reason: (error as Error).message });
      }
      const parsed = parseSpawnRequest(body);
      if (!parsed.ok) return send(res, 400, { status: 'error', error: 'invalid_spawn_request', reason: parsed.reason });
      try {
        const worker = await pool.spawn(parsed.request, { url: this.url, port: this.port, ...(this.#token ? { token: this.#token.toString() } : {}) });
        return send(res, 201, workerJson(worker));
      } catch (error) {
        const failure = error instanceof HarnessError ? error : new HarnessError('SPAWN_FAILED', (error as Error).message);
        const status = failure.code.startsWith('MODEL_') ? 422 : failure.code === 'WORKER_EXISTS' ? 409 : failure.kind === 'usage' ? 400 : 500;
        this.log.note(`Refused to spawn a worker for ${parsed.request.modelPath} (${status} ${failure.code}): ${failure.message}`);
        return send(res, status, { status: 'error', error: failure.code.toLowerCase(), reason: failure.message, ...(failure.hint ? { hint: failure.hint } : {}) });
      }
    }
    if (req.method === 'GET' && (path === '/v1/workers' || path === '/v1/workers/list')) return send(res, 200, { workers: pool.list().map(workerJson) });
    const match = /^\/v1\/workers\/([^/]+)(\/stop)?$/.exec(path);
    const worker = match ? pool.get(decodeURIComponent(match[1] as string)) : undefined;
    if (!match || !worker) return send(res, 404, { status: 'error', error: 'not_found', reason: `no worker at ${path}` });
    if (!match[2] && req.method === 'GET') return send(res, 200, workerJson(worker));
    if (match[2] && req.method === 'POST') {
      const stop = await pool.stop(worker.workerId);
      return send(res, 200, { ...workerJson(worker), stop: stop ?? null });
    }
    return send(res, 405, { status: 'error', error: 'method_not_allowed', reason: `${req.method} ${path}` });
  }

  async #heartbeat(version: HeartbeatVersion, route: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const refuse = (error: string, reason: string): void => {
      this.log.reject(route, 400, reason);
      send(res, 400, { status: 'error', error, reason });
    };
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/json') {
      req.resume();
      return refuse('unsupported_content_type', `content-type must be application/json, got ${JSON.stringify(req.headers['content-type'] ?? '')}`);
    }
    let text: string;
    try {
      text = await readBody(req, this.#maxBody);
    } catch (error) {
      if (!(error instanceof BodyTooLarge)) throw error;
      res.setHeader('connection', 'close');
      req.resume();
      return refuse('body_too_large', error.message);
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (error) {
      return refuse('bad_json', `body is not valid JSON: ${(error as Error).message}`);
    }
    const verdict = validateHeartbeat(version, body);
    if (!verdict.ok) return refuse('invalid_heartbeat', verdict.reason);
    const beat = this.log.record(version, route, verdict.workerId, verdict.state, body as Record<string, unknown>, verdict.workerTimestamp);
    this.pool?.heartbeat(beat);
    send(res, 200, { status: 'ok' });
  }

  /** Stops every worker this hive spawned, then the server. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      await this.pool?.stopAll();
      await new Promise<void>((resolve) => {
        this.#server.close(() => resolve());
        this.#server.closeAllConnections();
      });
    })();
    return this.#closed;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
