import { randomBytes } from 'node:crypto';
import { HarnessError } from '../../../errors/harness-error.ts';
import { formatDuration } from '../../../time/format-duration.ts';
import { attemptConnection, describeAttempt, refusalText, refusalWithoutWords } from '../connection-attempt.ts';
import { streamOptions, type TrainingCheck } from '../training-state.ts';

/** Close codes that say "refused" (policy violation, unsupported, server error, application codes); 1000/1001 say "done". */
function refusalCode(code: number): boolean {
  return code === 1008 || code === 1003 || code === 1011 || code === 1013 || (code >= 3000 && code <= 4999);
}

/** A stream on a job that does not exist is refused promptly, with a reason naming the job: never a silent open socket. */
export const unknownJob: TrainingCheck = {
  name: 'unknown job',
  async run(state) {
    const jobId = `hivecheck-missing-${randomBytes(3).toString('hex')}`;
    const outcome = await attemptConnection(streamOptions(state.target, 'unknown-job', { jobId }));
    if (outcome.kind === 'streaming' || outcome.kind === 'silent') state.opened.push(outcome.client);
    const what = describeAttempt(outcome);
    const evidence = { requested: jobId, outcome: what, elapsedMs: Math.round(outcome.elapsedMs), ...(outcome.kind === 'streaming' || outcome.kind === 'silent' ? { timeline: outcome.client.log.timeline() } : {}) };
    if (outcome.kind === 'unreachable') throw outcome.error;
    if (outcome.kind === 'silent') {
      throw new HarnessError('UNKNOWN_JOB_ACCEPTED', `a stream on the unknown job ${jobId} was accepted and left open and silent for ${formatDuration(outcome.elapsedMs)}: a client cannot tell it from a job with no updates`, { evidence, hint: 'refuse it: close with 1008 (or a 4xxx code) and a reason naming the job' });
    }
    if (outcome.kind === 'streaming') {
      throw new HarnessError('UNKNOWN_JOB_ACCEPTED', `a stream on the unknown job ${jobId} was accepted and sent progress: ${what}`, { evidence });
    }
    const text = refusalText(outcome);
    const fix = `accept it, then close with 1008 (or a 4xxx code) and a reason naming the job, e.g. "Job not found: ${jobId}"`;
    if (text === '' && outcome.kind === 'refused-http') {
      const words = refusalWithoutWords(outcome, `the unknown job ${jobId}`);
      throw new HarnessError('UNKNOWN_JOB_UNCLEAR', words.message, { evidence, hint: words.hint ? `${words.hint}, e.g. code 1008 and reason "Job not found: ${jobId}"` : fix });
    }
    const problems: string[] = [];
    if (outcome.kind === 'refused-close' && !refusalCode(outcome.code)) problems.push(`the close code ${outcome.code} reads as a normal end, not a refusal (use 1008 or a 4xxx code)`);
    if (text === '') problems.push('no reason was given (no close reason, error message or body)');
    else if (!text.includes(jobId)) problems.push(`the reason ${JSON.stringify(text)} does not name the job`);
    if (problems.length > 0) throw new HarnessError('UNKNOWN_JOB_UNCLEAR', `the unknown job ${jobId} was refused, but not clearly: ${problems.join('; ')} (${what})`, { evidence, hint: fix });
    return { detail: `${what}, after ${formatDuration(outcome.elapsedMs)}`, evidence };
  },
};
