import { HarnessError } from '../../../errors/harness-error.ts';
import { judgeStream } from '../message-schema.ts';
import { statusOf } from '../stream-message.ts';
import { needsStreams, settleEnds, type TrainingCheck } from '../training-state.ts';

/** Every message of every watcher's stream has the seed's fields, types and ranges, and the sequence holds together. */
export const messageSchema: TrainingCheck = {
  name: 'message schema',
  skipReason: needsStreams,
  async run(state) {
    await settleEnds(state);
    const judged = state.observers.map(({ client }) => ({ client: client.label, messages: client.messages, problems: judgeStream(client.messages, state.target.jobId) }));
    const total = judged.reduce((sum, entry) => sum + entry.messages.length, 0);
    if (total === 0) throw new HarnessError('NO_MESSAGES', 'no client received any message to judge');
    const bad = judged.filter((entry) => entry.problems.length > 0);
    if (bad.length > 0) {
      const first = bad[0] as (typeof bad)[number];
      const distinct = [...new Set(bad.flatMap((entry) => entry.problems.map((problem) => problem.problem.replace(/-?\d+(\.\d+)?/g, 'N'))))];
      const examples = first.problems.slice(0, 4).map((problem) => `#${problem.index + 1}: ${problem.problem}`);
      throw new HarnessError('SCHEMA_VIOLATION', `${first.problems.length} problem(s) in the ${first.messages.length} messages ${first.client} received (${distinct.length} kind(s)${bad.length > 1 ? `; ${bad.length} clients affected` : ''}): ${examples.join('; ')}${first.problems.length > examples.length ? '; …' : ''}`, {
        evidence: { problems: first.problems.slice(0, 50), kinds: distinct, clientsAffected: bad.map((entry) => entry.client), example: first.messages[first.problems[0]?.index ?? 0]?.text.slice(0, 500) },
        hint: schemaFix(bad.flatMap((entry) => entry.problems.map((problem) => problem.problem))),
      });
    }
    const messages = judged[0]?.messages ?? [];
    const counts = new Map<string, number>();
    for (const message of messages) counts.set(statusOf(message) ?? '?', (counts.get(statusOf(message) ?? '?') ?? 0) + 1);
    const breakdown = [...counts].map(([status, count]) => `${count} ${status}`).join(', ');
    return { detail: `${total} messages across ${judged.length} clients (${breakdown} each): required fields, types, ranges, progress matches the steps, current_step never goes back, ISO-8601 UTC timestamps never go back`, evidence: { messagesPerClient: judged.map((entry) => entry.messages.length) } };
  },
};

/** What to change, for each kind of problem seen (a timestamp without its zone, progress as a fraction, …). */
function schemaFix(problems: readonly string[]): string {
  const fixes = new Set<string>();
  let other: string | undefined;
  for (const problem of problems) {
    const progress = problem.match(/^progress (-?[\d.]+) does not match the steps: \d+\/\d+ is ([\d.]+)%/);
    if (/not an ISO-8601 UTC time/.test(problem)) fixes.add('write timestamps in ISO-8601 UTC with the zone, like 2025-11-06T12:30:00Z (Python: datetime.now(timezone.utc).isoformat())');
    else if (progress && Math.abs(Number(progress[1]) * 100 - Number(progress[2])) <= 1) fixes.add('send progress as a percentage, 0–100 (current_step / total_steps × 100), not as a fraction 0–1');
    else if (progress) fixes.add('send progress as current_step / total_steps × 100');
    else other ??= problem;
  }
  if (other) fixes.add(`make every message follow the training stream's schema (first other problem: ${other})`);
  return [...fixes].join('; ');
}
