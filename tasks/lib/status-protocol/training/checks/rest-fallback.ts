import { HarnessError } from '../../../errors/harness-error.ts';
import { http, parseJsonBody } from '../../../http/http-client.ts';
import { formatDuration } from '../../../time/format-duration.ts';
import { statusOf, stepOf, type StreamMessage } from '../stream-message.ts';
import { jobStatusUrl } from '../stream-urls.ts';
import { authHeaders, endedBeforeRun, endWords, needsStreams, settleEnds, type RestSample, type TrainingCheck } from '../training-state.ts';

type Body = Record<string, unknown>;

function bodyOf(sample: RestSample): Body {
  if (!sample.response) throw new HarnessError('REST_UNAVAILABLE', `GET /jobs/{job_id} got no answer while the job ran: ${sample.error ?? '?'}`);
  if (sample.response.status !== 200) throw new HarnessError('REST_UNAVAILABLE', `GET ${sample.response.url} answered HTTP ${sample.response.status} while the job ran: ${sample.response.text.slice(0, 200)}`, { evidence: { status: sample.response.status, body: sample.response.text.slice(0, 2000) } });
  return parseJsonBody<Body>(sample.response);
}

/**
 * A REST read taken while the stream ran must fall between the streamed messages around it:
 * same status, `current_step` between the last message before the request and the first after
 * the answer. After the end, REST must report the final streamed status.
 */
function compareMidStream(body: Body, sample: RestSample, messages: readonly StreamMessage[]): { problems: string[]; text: string } {
  const before = [...messages].reverse().find((message) => message.atMs <= sample.sentAtMs);
  const after = messages.find((message) => message.atMs >= sample.answeredAtMs);
  const problems: string[] = [];
  const statuses = new Set([statusOf(before), statusOf(after)].filter((status): status is string => status !== undefined));
  if (statuses.size > 0 && !statuses.has(String(body.status))) problems.push(`REST status ${JSON.stringify(body.status)} while the stream said ${[...statuses].join(' → ')}`);
  const low = stepOf(before);
  const high = stepOf(after);
  const step = body.current_step;
  if (typeof step !== 'number') {
    if (statusOf(before) === 'running') problems.push(`REST has no current_step (${JSON.stringify(body).slice(0, 160)})`);
  } else if ((low !== undefined && step < low) || (high !== undefined && step > high)) {
    problems.push(`REST current_step ${step} is outside the streamed steps around the request (${low ?? '?'} before, ${high ?? 'end'} after)`);
  }
  if (typeof body.total_steps === 'number' && typeof before?.value?.total_steps === 'number' && body.total_steps !== before.value.total_steps) problems.push(`REST total_steps ${body.total_steps} ≠ streamed ${before.value.total_steps}`);
  return { problems, text: `mid-stream: REST ${String(body.status)} step ${String(step)} between streamed ${low ?? '–'} and ${high ?? 'end'}` };
}

export const restFallback: TrainingCheck = {
  name: 'REST fallback',
  skipReason: (state) => needsStreams(state) ?? (state.restSample ? undefined : 'no REST sample was taken while the job ran'),
  async run(state) {
    const ends = await settleEnds(state);
    const sample = await (state.restSample as Promise<RestSample>);
    const messages = state.observers[0]?.client.messages ?? [];
    const ended = endedBeforeRun(state);
    const mid = ended ? { problems: [], text: `the job had already ended (${endWords(ended)}) before the run: no mid-stream read to compare` } : compareMidStream(bodyOf(sample), sample, messages);
    const problems = [...mid.problems];
    const final = ends[0]?.final;
    let finalText = 'no final message to compare the end state with';
    let finalBody: Body | undefined;
    if (final?.value) {
      finalBody = parseJsonBody<Body>(await http(jobStatusUrl(state.target.baseUrl, state.target.jobId), { headers: authHeaders(state.target), timeoutMs: 5000 }));
      const streamed = final.value;
      if (finalBody.status !== streamed.status) problems.push(`after the end REST says ${JSON.stringify(finalBody.status)}, the final message said ${JSON.stringify(streamed.status)}`);
      if (typeof finalBody.final_loss === 'number' && typeof streamed.final_loss === 'number' && finalBody.final_loss !== streamed.final_loss) problems.push(`REST final_loss ${finalBody.final_loss} ≠ streamed ${streamed.final_loss}`);
      finalText = `after the end: REST ${String(finalBody.status)}, as streamed`;
    }
    const evidence = { midStream: { body: bodyOf(sample), requestMs: Math.round(sample.answeredAtMs - sample.sentAtMs) }, final: finalBody ?? null };
    if (problems.length > 0) throw new HarnessError('REST_DISAGREES', `GET /jobs/${state.target.jobId} disagrees with the stream: ${problems.join('; ')}`, { evidence });
    return { detail: `${mid.text}${ended ? '' : ` (answered in ${formatDuration(sample.answeredAtMs - sample.sentAtMs)})`}; ${finalText}`, evidence };
  },
};
