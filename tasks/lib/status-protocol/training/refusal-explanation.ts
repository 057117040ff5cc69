import { tryHttp } from '../../http/http-client.ts';
import { clipJsonText } from '../json-safe.ts';
import { jobStatusUrl } from './stream-urls.ts';

/** What `GET /jobs/{id}` said about the job a stream was refused for. */
export interface RestView {
  /** `GET /jobs/job_x` */
  request: string;
  status: number | undefined;
  body: string;
  /** 404: the server says the job does not exist. */
  jobMissing: boolean;
  /** 401/403: REST wants credentials too. */
  wantsAuth: boolean;
}

/** Asks the REST status beside the stream about the job (2 s; undefined when it does not answer). */
export async function restView(baseUrl: string, jobId: string, headers: Record<string, string>): Promise<RestView | undefined> {
  const outcome = await tryHttp(jobStatusUrl(baseUrl, jobId), { headers, timeoutMs: 2000 });
  if (!outcome.ok) return undefined;
  const { status, text } = outcome.response;
  return { request: `GET /jobs/${jobId}`, status, body: text, jobMissing: status === 404, wantsAuth: status === 401 || status === 403 };
}

/** Why a refusal had no words: an HTTP 403 with no body is what Starlette answers to a close before accept(). */
export const CLOSE_BEFORE_ACCEPT =
  'the refusal carried no close code or reason: the upgrade was answered HTTP 403 with no body, which is what FastAPI/Starlette sends when the route calls websocket.close() before websocket.accept(), so the code and reason never reach the client';

export const ACCEPT_THEN_CLOSE_FIX = 'accept the connection first, then close it with a code and a reason (await websocket.accept(); await websocket.close(code, reason))';

/**
 * A stream upgrade answered with an HTTP status, explained from what the server said beside it:
 * the REST answer about the job when there is one (a 404 "Job … not found" means the job does not
 * exist, not that a token is missing), a bare 403 as a close before accept, a 401/403 that REST
 * shares as a wish for credentials.
 */
export function explainHttpRefusal(http: { status: number; body: string }, jobId: string, rest: RestView | undefined, tokenGiven: boolean): { text: string; hint: string; cause: 'job-missing' | 'auth' | 'close-before-accept' | 'http' } {
  const answered = `the upgrade was answered HTTP ${http.status}${http.body.trim() ? ` ${clipJsonText(http.body.trim(), 160)}` : ' with no body'}`;
  if (rest?.jobMissing) {
    return { cause: 'job-missing', text: `${answered}, and ${rest.request} answers 404${rest.body.trim() ? ` ${clipJsonText(rest.body.trim(), 160)}` : ''}: the server has no job ${jobId}`, hint: `pass --job with a job the server has (and that runs for the whole check); the stream refused it${http.body.trim() ? '' : ` without words: ${ACCEPT_THEN_CLOSE_FIX}`}` };
  }
  if ((http.status === 401 || http.status === 403) && rest?.wantsAuth) {
    return { cause: 'auth', text: `${answered}, and ${rest.request} answers ${rest.status} too: the server wants credentials`, hint: tokenGiven ? 'the server did not accept the token given (--token): check it' : 'give the server\'s token with --token (sent as Authorization: Bearer)' };
  }
  if (http.status === 403 && http.body.trim() === '') {
    return { cause: 'close-before-accept', text: `${CLOSE_BEFORE_ACCEPT}${rest ? ` (${rest.request} answers ${rest.status})` : ''}`, hint: ACCEPT_THEN_CLOSE_FIX };
  }
  return { cause: 'http', text: answered, hint: http.status === 404 ? 'no training stream there: check --url (the stream is WS /ws/training/{job_id})' : ACCEPT_THEN_CLOSE_FIX };
}
