import { HarnessError } from '../../../errors/harness-error.ts';
import { formatDuration } from '../../../time/format-duration.ts';
import { clipJsonText } from '../../json-safe.ts';
import { isFinal } from '../stream-message.ts';
import { needsStreams, settleEnds, type TrainingCheck, type TrainingCheckState } from '../training-state.ts';

async function stalledSkip(state: TrainingCheckState): Promise<string | undefined> {
  const missing = needsStreams(state);
  if (missing) return missing;
  const ends = await settleEnds(state);
  return ends.some((end) => end.stalled) ? 'a stream stalled before its end (see "stream stall")' : undefined;
}

/** Problems with the same text joined into one sentence naming its clients: `all 3 clients got …`, `client-1 and client-3 got …`. */
function sayOnce(problems: readonly { client: string; text: string }[], clients: number): string {
  const byText = new Map<string, string[]>();
  for (const problem of problems) byText.set(problem.text, [...(byText.get(problem.text) ?? []), problem.client]);
  return [...byText].map(([text, who]) => {
    const named = who.length === clients && clients > 1 ? `all ${clients} clients` : who.length === 1 ? (who[0] as string) : `${who.slice(0, -1).join(', ')} and ${who.at(-1) as string}`;
    return `${named}${text}`;
  }).join('; ');
}

/** The final message (`completed` or `failed`) reaches every watcher as its last message, then the socket closes normally (1000). */
export const finalMessage: TrainingCheck = {
  name: 'final message and close',
  skipReason: stalledSkip,
  async run(state) {
    const ends = await settleEnds(state);
    // Each problem is said once, with the clients it happened to ("all 3 clients …", "client-1 and client-3 …").
    const problems: { code: string; client: string; text: string }[] = [];
    state.observers.forEach(({ client }, index) => {
      const end = ends[index];
      if (!end) return;
      const close = end.close;
      const closed = close ? `closed ${close.code}${close.reason ? ` ${JSON.stringify(close.reason)}` : ''}` : 'not closed';
      const add = (code: string, text: string): void => void problems.push({ code, client: client.label, text });
      if (!end.final) {
        const last = client.messages.at(-1);
        add('FINAL_MESSAGE_MISSING', ` got no completed/failed message (the stream ${closed} after ${client.messages.length} messages; the last: ${last ? clipJsonText(last.text, 160) : '(none)'})`);
        return;
      }
      const after = client.messages.length - 1 - client.messages.indexOf(end.final);
      if (after > 0) add('MESSAGES_AFTER_FINAL', ` got ${after} message(s) after the final one`);
      if (!close) add('NOT_CLOSED_AFTER_FINAL', `: the socket stayed open ${formatDuration(state.target.timing.messageTimeoutMs)} after the final message`);
      else if (close.code !== 1000) add('CLOSED_ABNORMALLY', `: after the final message the socket ${closed}, not a normal closure (1000)`);
    });
    const evidence = { ends: ends.map((end, index) => ({ client: state.observers[index]?.client.label, final: end.final?.text.slice(0, 300) ?? null, closeCode: end.close?.code ?? null, closeReason: end.close?.reason ?? null, closeAfterFinalMs: end.closeAfterFinalMs === undefined ? null : Math.round(end.closeAfterFinalMs) })) };
    if (problems.length > 0) {
      const first = problems[0] as (typeof problems)[number];
      throw new HarnessError(first.code, sayOnce(problems, state.observers.length), { evidence, hint: first.code === 'FINAL_MESSAGE_MISSING' ? 'broadcast {"status": "completed", "complete": true, …} (or "failed") to every client before closing' : undefined });
    }
    const final = ends[0]?.final;
    const slowest = Math.max(...ends.map((end) => end.closeAfterFinalMs ?? 0));
    return { detail: `all ${ends.length} clients got the ${String(final?.value?.status)} message last, then close 1000 within ${formatDuration(slowest)}`, evidence };
  },
};

/** The job itself completed: a `failed` final message fails the run (with the server's error), after being reported properly. */
export const jobOutcome: TrainingCheck = {
  name: 'job outcome',
  skipReason: async (state) => (await stalledSkip(state)) ?? ((await settleEnds(state)).some((end) => end.final) ? undefined : 'no final message came (see "final message and close")'),
  async run(state) {
    const ends = await settleEnds(state);
    const final = ends.find((end) => end.final)?.final;
    if (!final || !isFinal(final)) throw new Error('unreachable: skipped without a final message');
    const value = final.value ?? {};
    if (value.status === 'completed') return { detail: `completed, final_loss ${String(value.final_loss)}`, evidence: { final: value } };
    throw new HarnessError('JOB_FAILED', `the job ${String(value.status)}: ${String(value.error ?? '(no error text)')} (the server said so in its final message: the job failed, not the stream)`, { evidence: { final: value } });
  },
};
