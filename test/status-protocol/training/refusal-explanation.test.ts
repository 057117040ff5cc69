import { describe, expect, it } from 'vitest';
import { explainHttpRefusal, type RestView } from '../../../tasks/lib/status-protocol/training/refusal-explanation.ts';

const rest = (status: number, body = ''): RestView => ({ request: 'GET /jobs/job_x', status, body, jobMissing: status === 404, wantsAuth: status === 401 || status === 403 });

/** A stream upgrade answered with an HTTP status, read with what REST says about the job. */
describe('explainHttpRefusal', () => {
  it('a 404 from REST: the job does not exist (not a token), whatever the stream answered', () => {
    const said = explainHttpRefusal({ status: 403, body: '' }, 'job_x', rest(404, '{"detail":"Job job_x not found"}'), false);
    expect(said.cause).toBe('job-missing');
    expect(said.text).toBe('the upgrade was answered HTTP 403 with no body, and GET /jobs/job_x answers 404 {"detail":"Job job_x not found"}: the server has no job job_x');
    expect(said.hint).not.toMatch(/token/);
  });

  it('a 401/403 that REST shares: credentials, with a fix that depends on whether a token was given', () => {
    expect(explainHttpRefusal({ status: 403, body: '' }, 'job_x', rest(401), false)).toMatchObject({ cause: 'auth', hint: "give the server's token with --token (sent as Authorization: Bearer)" });
    expect(explainHttpRefusal({ status: 401, body: 'no' }, 'job_x', rest(403), true)).toMatchObject({ cause: 'auth', hint: 'the server did not accept the token given (--token): check it' });
  });

  it('a bare 403 while REST serves the job (or does not answer): a close before accept, with the fix', () => {
    for (const view of [rest(200, '{}'), undefined]) {
      const said = explainHttpRefusal({ status: 403, body: '' }, 'job_x', view, false);
      expect(said.cause).toBe('close-before-accept');
      expect(said.text).toMatch(/^the refusal carried no close code or reason: the upgrade was answered HTTP 403 with no body, which is what FastAPI\/Starlette sends when the route calls websocket\.close\(\) before websocket\.accept\(\)/);
      expect(said.hint).toMatch(/^accept the connection first, then close it with a code and a reason/);
    }
  });

  it('another status is quoted as answered', () => {
    expect(explainHttpRefusal({ status: 404, body: 'Not Found' }, 'job_x', rest(200), false)).toMatchObject({ cause: 'http', text: 'the upgrade was answered HTTP 404 Not Found' });
  });
});
