import { formatDuration } from '../../../time/format-duration.ts';
import { http } from '../../../http/http-client.ts';
import { jobStatusUrl } from '../stream-urls.ts';
import { HarnessError, toHarnessError } from '../../../errors/harness-error.ts';
import { SessionFailure } from '../../status-failure.ts';
import { explainHttpRefusal, restView } from '../refusal-explanation.ts';
import { TrainingStreamClient } from '../training-stream-client.ts';
import { authHeaders, endedBeforeRun, endWords, streamOptions, type RestSample, type TrainingCheck, type TrainingCheckState } from '../training-state.ts';

async function sampleRest(state: TrainingCheckState): Promise<RestSample> {
  const sentAtMs = performance.now();
  try {
    const response = await http(jobStatusUrl(state.target.baseUrl, state.target.jobId), { headers: authHeaders(state.target), timeoutMs: 5000 });
    return { sentAtMs, answeredAtMs: performance.now(), response };
  } catch (error) {
    return { sentAtMs, answeredAtMs: performance.now(), response: undefined, error: (error as Error).message };
  }
}

/**
 * A stream upgrade answered with an HTTP status, said with what REST says about the job: a job the
 * server does not have (`JOB_NOT_FOUND`), credentials, or a close before accept (a bare 403).
 */
async function explainRefused(state: TrainingCheckState, thrown: unknown): Promise<HarnessError> {
  const error = toHarnessError(thrown);
  if ( error.code !== SessionFailure.connectFailed || typeof error.evidence.httpStatus !== 'number') return error;
  const { target } = state;
  const rest = await restView(target.baseUrl, target.jobId, authHeaders(target));
  const said = explainHttpRefusal({ status: error.evidence.httpStatus, body: String(error.evidence.body ?? '') }, target.jobId, rest, target.token !== undefined);
  const code = said.cause === 'job-missing' ? 'JOB_NOT_FOUND' : error.code;
  return new HarnessError(code, `the stream of job ${target.jobId} was refused: ${said.text}`, { evidence: { ...error.evidence, cause: said.cause, rest: rest ? { request: rest.request, status: rest.status ?? null, body: rest.body.slice(0, 500) } : null }, hint: said.hint, cause: error });
}

/**
 * The watching clients (`--clients`, 3 by default) and one more that will leave mid-stream
 * connect to the job at once and each gets a first message. From here the watchers read their
 * streams to the end in the background; the REST status is sampled while the job runs.
 */
export const clientsConnect: TrainingCheck = {
  name: 'clients connect',
  async run(state) {
    const { target } = state;
    const started = performance.now();
    const labels = [...Array.from({ length: target.clients }, (_, index) => `client-${index + 1}`), 'leaver'];
    const settled = await Promise.allSettled(labels.map((label) => TrainingStreamClient.open(streamOptions(target, label, { watcher: true }))));
    for (const result of settled) if (result.status === 'fulfilled') state.opened.push(result.value);
    const refused = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (refused) {
      state.connectFailure = await explainRefused(state, refused.reason);
      throw state.connectFailure;
    }
    const clients = settled.map((result) => (result as PromiseFulfilledResult<TrainingStreamClient>).value);
    const connectedMs = performance.now() - started;
    const leaver = clients.pop() as TrainingStreamClient;
    state.leaver = leaver;
    state.observers = clients.map((client) => ({ client, end: client.readToEnd() }));
    const firsts = await Promise.all([...clients, leaver].map((client) => client.messageAt(0, 'the first message')));
    const firstAt = Math.max(...firsts.map((message) => message?.atMs ?? 0));
    const missing = firsts.findIndex((message) => message === undefined);
    if (missing !== -1) {
      const client = [...clients, leaver][missing] as TrainingStreamClient;
      throw new Error(`the ${client.label} stream closed before its first message (${client.closeInfo ? `closed ${client.closeInfo.code} ${JSON.stringify(client.closeInfo.reason)}` : 'closed'})`);
    }
    state.restSample = sampleRest(state);
    const first = firsts[0];
    const ended = endedBeforeRun(state);
    return {
      detail: `${clients.length} watching clients + 1 that will leave connected to job ${target.jobId} in ${formatDuration(connectedMs)}; every one had its first message ${formatDuration(firstAt - started)} after connecting began (${first?.value?.status === 'running' ? `step ${String(first.value.current_step)}/${String(first.value.total_steps)}` : String(first?.value?.status)})${ended ? `: the job had already ended (${endWords(ended)}) before the run, so the checks of a running stream are skipped` : ''}`,
      evidence: { clients: clients.length, connectMs: Math.round(connectedMs), firstMessageMs: Math.round(firstAt - started), url: clients[0]?.url },
    };
  },
};
