import { HarnessError } from '../errors/harness-error.ts';
import { tryHttp, type HttpResponse } from '../http/http-client.ts';
import { connectTarget, tryConnect } from '../http/tcp-connect.ts';
import { currentTimeline, type TimelineStatus } from '../report/timeline.ts';
import { formatDuration } from '../time/format-duration.ts';
import type { Probe, ProbeContext, ProbeResult } from './wait-for.ts';

/**
 * How one answer of a readiness endpoint is judged:
 * - `ready`: done;
 * - `not-ready`: the service answered "not yet" (503 Loading model, `{"ready":false}`): keep waiting;
 * - `http-error`: it answered, but with an error (404, 500, a body that makes no sense).
 */
export type AnswerVerdict = { verdict: 'ready' | 'not-ready' | 'http-error'; detail?: string };
export type AnswerClassifier = (response: HttpResponse) => AnswerVerdict;

/** The seed's rule: 200 is ready, 503 is "not ready yet", any other status is an error. */
export const statusClassifier: AnswerClassifier = (response) => {
  if (response.status === 200) return { verdict: 'ready' };
  if (response.status === 503) return { verdict: 'not-ready', detail: `HTTP 503 ${response.text.slice(0, 120)}` };
  return { verdict: 'http-error', detail: `HTTP ${response.status} ${response.text.slice(0, 120)}` };
};

export interface HttpWaitOptions {
  url: string;
  method?: 'GET' | 'POST';
  classify?: AnswerClassifier;
  requestTimeoutMs?: number;
  /** Consecutive failing attempts (refused or HTTP errors) that end the wait. Default 10. */
  maxConsecutiveErrors?: number;
  /** Pause after a failing attempt, so N errors span N × this (default 200 ms → ~2 s for 10). */
  errorIntervalMs?: number;
  /**
   * True while the process behind the URL is ours and alive. Connection refused then means
   * "not listening yet" (a worker loading its model before it binds) and does not count as an
   * error until the endpoint has answered once; if the process dies, its exit fails the wait.
   */
  ownerAlive?: () => boolean;
  /** Timeline lane for the attempts (`probe:worker /v1/health`); default `probe:<method> <host:port/path>`. */
  lane?: string;
  /** Sent with every probe (an API key). */
  headers?: Record<string, string>;
  /**
   * While our live process refuses connections, probe with a bare TCP connect every 2 ms (default
   * true). False: every attempt is an HTTP request on the normal backoff (as before; a bench baseline).
   */
  connectWhileRefused?: boolean;
}

/** One kind of answer a wait saw, in order: `503 {"error":…"Loading model"…} ×20`, then `200 {"status":"ok"}`. */
export interface AnswerSeen {
  /** HTTP status, or the network outcome (`refused`, `timeout`) when there was no answer. */
  status: number | string;
  /** The first bytes of the body. */
  body: string;
  count: number;
}

export interface ReadyAnswer {
  response: HttpResponse;
  /** How many attempts saw each kind of outcome. */
  tally: Record<'refused' | 'not-ready' | 'http-error' | 'timeout', number>;
  /** The answers seen, consecutive repeats folded. */
  answers: AnswerSeen[];
}

/** A readiness probe that also keeps what it saw, for evidence when the wait fails. */
export type HttpReadinessProbe = Probe<ReadyAnswer> & { readonly seen: { tally: ReadyAnswer['tally']; answers: AnswerSeen[] } };

const FIRST_BYTES = 80;

/**
 * While our own live process refuses connections (it has not bound its port yet), each attempt is
 * a bare TCP connect, every 2 ms: a refused connect costs the worker nothing (the kernel answers)
 * and the harness far less than an HTTP request, and the HTTP request follows at once when a
 * connection is accepted. So a server that starts listening is seen within ~2 ms instead of up to
 * 10 (the 2 → 10 ms backoff), without the cost of 500 HTTP requests a second.
 */
export const REFUSED_POLL_MS = 2;
/** A connect that takes longer than this (not loopback) falls back to the HTTP request. */
const CONNECT_PROBE_TIMEOUT_MS = 250;
const MAX_KINDS = 20;

/** `503 Loading model ×20 → 200 {"status":"ok"}` */
export function describeAnswers(answers: readonly AnswerSeen[]): string {
  return answers.map((answer) => `${answer.status}${answer.body ? ` ${answer.body}` : ''}${answer.count > 1 ? ` ×${answer.count}` : ''}`).join(' → ');
}

/**
 * The fix a timed-out readiness wait's answers suggest, only as far as they show it: nothing ever
 * answered (a port mismatch), or "not ready yet" to the end (slow, or stuck loading).
 * `port`: where it was probed and who chose it (`the port it is given as {port}`); `flag`: the budget's flag.
 */
export function readinessTimeoutHint(seen: HttpReadinessProbe['seen'], where: { port: number; portGiven: string; flag: string }): string | undefined {
  const last = seen.answers.at(-1);
  if (!last) return undefined;
  if (seen.answers.every((answer) => answer.status === 'refused')) {
    return `nothing ever answered on port ${where.port}: check that the worker listens on ${where.portGiven} (its log below may say where it listens)`;
  }
  if (seen.tally['not-ready'] && typeof last.status === 'number') {
    return `it answered "not ready yet" until the end (${seen.tally['not-ready']} times): if it is only slow to load, raise ${where.flag}; its log below shows how far it got`;
  }
  return undefined;
}

/**
 * The fix for a wait that stopped on repeated error answers (`ENDPOINT_ERRORS`): what the last
 * answer was, and what the wait accepts instead (503 means "still loading", 200 "ready").
 */
export function readinessErrorsHint(seen: HttpReadinessProbe['seen']): string | undefined {
  const last = [...seen.answers].reverse().find((answer) => typeof answer.status === 'number');
  if (!last) return undefined;
  const body = last.body ? ` ${last.body}` : '';
  if (last.status === 200) return `it answered HTTP 200, but not with what the route must say (last:${body}): see the expected answer in the profile (or README) and its log below`;
  return `it answered HTTP ${last.status}${body}: answer 503 while loading (the harness keeps waiting on 503) and 200 once ready; an HTTP ${last.status} counts as an error, so fix what it reports (its log below may say more)`;
}

/**
 * A probe for `waitFor` that tells apart connection refused, answered-but-not-ready and
 * answered-with-errors, and stops after `maxConsecutiveErrors` failing attempts in a row while
 * it keeps waiting as long as the service says "not ready yet".
 */
export function httpReadiness(options: HttpWaitOptions): HttpReadinessProbe {
  const classify = options.classify ?? statusClassifier;
  const maxErrors = options.maxConsecutiveErrors ?? 10;
  const errorInterval = options.errorIntervalMs ?? 200;
  const tally: ReadyAnswer['tally'] = { refused: 0, 'not-ready': 0, 'http-error': 0, timeout: 0 };
  let consecutiveErrors = 0;
  let answeredOnce = false;
  /** The last attempt was refused while our process was alive: the next one may be a bare connect. */
  let notListeningYet = false;
  let target: { host: string; port: number } | undefined;
  const failures: string[] = [];
  const lane = options.lane ?? `probe:${options.method ?? 'GET'} ${options.url.replace(/^https?:\/\//, '')}`;
  let label = '';
  const tick = (status: TimelineStatus, observed: string, started: number): void =>
    void currentTimeline().record({ lane, kind: 'probe', label, status, detail: { observed, durationMs: Math.round((performance.now() - started) * 10) / 10 } });
  const answers: AnswerSeen[] = [];
  const saw = (status: number | string, text: string): void => {
    const body = text.replace(/\s+/g, ' ').trim().slice(0, FIRST_BYTES);
    const last = answers[answers.length - 1];
    if (last && last.status === status && last.body === body) last.count += 1;
    else if (answers.length < MAX_KINDS) answers.push({ status, body, count: 1 });
  };

  const failing = (observed: string): ProbeResult<ReadyAnswer> => {
    consecutiveErrors += 1;
    failures.push(observed);
    if (consecutiveErrors >= maxErrors) {
      const unreachable = failures.slice(-maxErrors).every((line) => line.startsWith('connection refused'));
      throw new HarnessError(
        unreachable ? 'ENDPOINT_UNREACHABLE' : 'ENDPOINT_ERRORS',
        `${options.method ?? 'GET'} ${options.url} failed ${consecutiveErrors} times in a row (${unreachable ? 'nothing is answering' : 'it answers with errors'}); last: ${observed}`,
        { evidence: { url: options.url, lastObserved: observed, recentFailures: failures.slice(-maxErrors), tally: { ...tally }, answers: answers.map((answer) => ({ ...answer })) } },
      );
    }
    return { ready: false, observed, retryAfterMs: errorInterval };
  };

  const requestTimeout = options.requestTimeoutMs ?? 2000;
  /** Refused while our process is alive: "not listening yet", not an error; poll again soon (cheaply). */
  const refusedWhileAlive = (code: string): ProbeResult<ReadyAnswer> => {
    consecutiveErrors = 0;
    const observed = `connection refused (${code}): not listening yet`;
    if (options.connectWhileRefused === false) return { ready: false, observed };
    notListeningYet = true;
    return { ready: false, observed, pollAfterMs: REFUSED_POLL_MS };
  };

  const attempt = async ({ signal, remainingMs }: ProbeContext): Promise<ProbeResult<ReadyAnswer>> => {
    const timeoutMs = Math.max(1, Math.min(requestTimeout, remainingMs));
    if (notListeningYet && !answeredOnce && options.ownerAlive?.()) {
      // Still refused? A bare connect tells; anything else (accepted, a slow or odd connect) goes on to the HTTP request now.
      target ??= connectTarget(options.url);
      const connected = await tryConnect(target, { signal, timeoutMs: Math.min(timeoutMs, CONNECT_PROBE_TIMEOUT_MS) });
      if (connected.kind === 'refused' && options.ownerAlive()) {
        label = 'refused';
        tally.refused += 1;
        saw('refused', '');
        return refusedWhileAlive(connected.code ?? connected.message);
      }
      if (connected.kind === 'aborted') return { ready: false, observed: 'wait ended during a request', cutShort: true };
    }
    notListeningYet = false;
    const outcome = await tryHttp(options.url, { method: options.method ?? 'GET', signal, timeoutMs, ...(options.headers ? { headers: options.headers } : {}) });
    label = outcome.ok ? `HTTP ${outcome.response.status}` : outcome.failure.kind;
    if (!outcome.ok) {
      const { failure } = outcome;
      if (failure.kind === 'aborted') return { ready: false, observed: 'wait ended during a request', cutShort: true };
      if (failure.kind === 'too-large') {
        answeredOnce = true;
        tally['http-error'] += 1;
        return failing(`HTTP error: ${failure.message}`);
      }
      if (failure.kind === 'timeout' && timeoutMs < requestTimeout) {
        // The request was cut to what was left of the wait: no verdict on the service.
        return { ready: false, observed: `request cut short by the wait's deadline (no answer within the ${formatDuration(timeoutMs)} left)`, cutShort: true };
      }
      if (failure.kind === 'timeout') {
        tally.timeout += 1;
        saw('timeout', '');
        return failing(`request timeout (${failure.message})`);
      }
      tally.refused += 1;
      saw(failure.kind, '');
      const observed = `connection ${failure.kind} (${failure.code ?? failure.message})`;
      // Refused: nothing listens yet. A reset means something accepted the connection and
      // dropped it: that is an answer of sorts, and counts as an error.
      if (!answeredOnce && failure.kind === 'refused' && options.ownerAlive?.()) return refusedWhileAlive(failure.code ?? failure.message);
      return failing(observed);
    }
    answeredOnce = true;
    const { response } = outcome;
    saw(response.status, response.text);
    const judged = classify(response);
    if (judged.verdict === 'ready') return { ready: true, value: { response, tally: { ...tally }, answers: answers.map((answer) => ({ ...answer })) }, observed: `HTTP ${response.status} ready` };
    if (judged.verdict === 'not-ready') {
      tally['not-ready'] += 1;
      consecutiveErrors = 0;
      return { ready: false, observed: `not ready yet: ${judged.detail ?? `HTTP ${response.status}`}` };
    }
    tally['http-error'] += 1;
    return failing(`HTTP error: ${judged.detail ?? `HTTP ${response.status}`}`);
  };

  // Each attempt is a tick on the run timeline: refused / not-ready / error / ok (an attempt cut
  // short by the wait's own end is no observation of the service and is left out).
  const probe = async (context: ProbeContext): Promise<ProbeResult<ReadyAnswer>> => {
    const started = performance.now();
    try {
      const result = await attempt(context);
      if (result.ready || !result.cutShort) tick(result.ready ? 'ok' : result.observed?.startsWith('connection') ? 'refused' : result.observed?.startsWith('not ready') ? 'not-ready' : 'error', result.observed ?? label, started);
      return result;
    } catch (error) {
      tick('error', (error as Error).message, started);
      throw error;
    }
  };
  return Object.assign(probe, { seen: { tally, answers } });
}
