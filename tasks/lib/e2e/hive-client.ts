import { HarnessError } from '../errors/harness-error.ts';
import { parseJsonBody, tryHttp, type HttpResponse } from '../http/http-client.ts';

/** A worker as the hive reports it (`GET /v1/workers/<id>`, the spawn answer). */
export interface HiveWorker {
  worker_id: string;
  url: string;
  model_ref?: string;
  backend?: string;
  device?: number;
  pid?: number | null;
  state: string;
  heartbeats?: number;
  exit?: { code: number | null; signal: string | null } | null;
}

export interface SpawnBody {
  worker_id: string;
  model_path: string;
  model_ref: string;
  backend: string;
  device: number;
  profile?: string;
  command?: string[];
}

const reasonOf = (response: HttpResponse): string => {
  try {
    const body = JSON.parse(response.text) as { reason?: string; error?: string; hint?: string };
    return [body.error, body.reason].filter(Boolean).join(': ') + (body.hint ? ` (hive says: ${body.hint})` : '') || response.text.slice(0, 300);
  } catch {
    return response.text.slice(0, 300);
  }
};

/**
 * The keeper's side of the hive's worker API (`POST /v1/workers/spawn`, `GET /v1/workers/<id>`,
 * `POST /v1/workers/<id>/stop`): every call has a timeout and fails with a named error that
 * quotes what the hive answered.
 */
export class HiveClient {
  readonly #headers: Record<string, string>;

  /** `token`: the hive's token (a hive published beyond loopback), sent as `Authorization: Bearer <token>`. */
  constructor(
    readonly baseUrl: string,
    readonly timeoutMs = 10_000,
    token?: string,
  ) {
    this.#headers = token === undefined ? {} : { authorization: `Bearer ${token}` };
  }

  async #call(method: 'GET' | 'POST', path: string, json?: unknown, signal?: AbortSignal): Promise<HttpResponse> {
    let outcome = await tryHttp(`${this.baseUrl}${path}`, { method, json, timeoutMs: this.timeoutMs, signal, headers: this.#headers });
    // A GET that meets a keep-alive connection the hive closed at that moment is sent again, once,
    // on a new connection (it is idempotent; a busy hive closing idle sockets late causes this).
    if (!outcome.ok && outcome.failure.kind === 'reset' && method === 'GET' && !signal?.aborted) {
      outcome = await tryHttp(`${this.baseUrl}${path}`, { method, json, timeoutMs: this.timeoutMs, signal, headers: this.#headers });
    }
    if (!outcome.ok) {
      throw new HarnessError('HIVE_UNREACHABLE', `${method} ${this.baseUrl}${path}: ${outcome.failure.kind} (${outcome.failure.message})`, { evidence: { url: `${this.baseUrl}${path}`, failure: outcome.failure } });
    }
    return outcome.response;
  }

  async spawn(body: SpawnBody): Promise<HiveWorker> {
    const response = await this.#call('POST', '/v1/workers/spawn', body);
    if (response.status === 401) {
      throw new HarnessError('HIVE_UNAUTHORIZED', `the hive refused the spawn request without a valid token (401): ${reasonOf(response)}`, { evidence: { status: response.status }, hint: 'this hive takes only requests with its token: pass --hive-token-file <file holding the token it printed>' });
    }
    if (response.status === 422) {
      throw new HarnessError('HIVE_REFUSED_MODEL', `the hive refused to spawn a worker for ${body.model_path}: ${reasonOf(response)}`, { evidence: { status: response.status, body: response.text.slice(0, 2000) }, hint: 'pass --model with a GGUF file that exists on the hive node' });
    }
    if (response.status !== 200 && response.status !== 201) {
      throw new HarnessError('HIVE_SPAWN_FAILED', `the hive answered ${response.status} to the spawn request: ${reasonOf(response)}`, { evidence: { status: response.status, body: response.text.slice(0, 2000), request: body } });
    }
    const worker = parseJsonBody<HiveWorker>(response);
    if (typeof worker?.url !== 'string' || !/^https?:\/\//.test(worker.url)) {
      throw new HarnessError('HIVE_SPAWN_INVALID', `the hive's spawn answer has no worker url: ${response.text.slice(0, 300)}`, { evidence: { body: response.text.slice(0, 2000) } });
    }
    return { ...worker, worker_id: worker.worker_id ?? body.worker_id };
  }

  async worker(workerId: string, signal?: AbortSignal): Promise<HiveWorker | undefined> {
    const response = await this.#call('GET', `/v1/workers/${encodeURIComponent(workerId)}`, undefined, signal);
    if (response.status === 404) return undefined;
    if (response.status !== 200) throw new HarnessError('HIVE_ERROR', `GET /v1/workers/${workerId}: HTTP ${response.status} ${reasonOf(response)}`);
    return parseJsonBody<HiveWorker>(response);
  }

  async stop(workerId: string): Promise<HiveWorker & { stop?: { signal: string; survivors: number[] } | null }> {
    const response = await this.#call('POST', `/v1/workers/${encodeURIComponent(workerId)}/stop`);
    if (response.status !== 200) throw new HarnessError('HIVE_STOP_FAILED', `POST /v1/workers/${workerId}/stop: HTTP ${response.status} ${reasonOf(response)}`);
    return parseJsonBody(response);
  }
}
