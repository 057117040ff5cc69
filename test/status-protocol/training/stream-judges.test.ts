import { describe, expect, it } from 'vitest';
import { judgeStream } from '../../../tasks/lib/status-protocol/training/message-schema.ts';
import { parseStreamText, type StreamMessage } from '../../../tasks/lib/status-protocol/training/stream-message.ts';
import { compareSequences, latencySamples, timestampResolutionMs, updateGaps, type MessageGap } from '../../../tasks/lib/status-protocol/training/stream-stats.ts';
import { diagnoseGaps } from '../../../tasks/lib/status-protocol/training/checks/update-interval.ts';

const JOB = 'job_abc123';
let seq = 0;

/** A message as the client would have recorded it, received `atMs` after an epoch origin. */
function message(value: Record<string, unknown> | string, atMs = seq * 100): StreamMessage {
  seq += 1;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const parsed = parseStreamText(text);
  return { seq, atMs, epochMs: 1_762_432_200_000 + atMs, text, value: parsed.value, ...(parsed.problem ? { problem: parsed.problem } : {}) };
}

function running(step: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const second = String(step).padStart(2, '0');
  return { job_id: JOB, status: 'running', progress: step * 10, current_epoch: 1, total_epochs: 3, current_step: step, total_steps: 10, loss: 1 / (step + 1), eval_loss: null, samples_per_second: 3.2, gpu_memory_allocated_gb: 18.5, gpu_utilization_percent: 99, eta_seconds: 10 - step, timestamp: `2025-11-06T12:30:${second}Z`, ...overrides };
}

const completed = { job_id: JOB, status: 'completed', complete: true, final_loss: 0.123, timestamp: '2025-11-06T12:31:00Z' };

describe('judgeStream: the seed message formats', () => {
  it('passes the seed examples: running messages, then completion', () => {
    expect(judgeStream([message(running(1)), message(running(2)), message(completed)], JOB)).toEqual([]);
  });

  it('passes a failure message as the final one', () => {
    const failed = { job_id: JOB, status: 'failed', error: 'Training process terminated unexpectedly', complete: true, timestamp: '2025-11-06T13:15:00Z' };
    expect(judgeStream([message(running(1)), message(failed)], JOB)).toEqual([]);
  });

  it.each([
    ['progress as a fraction', running(5, { progress: 0.5 }), /progress 0.5 does not match the steps: 5\/10 is 50.00%/],
    ['progress above 100', running(5, { progress: 150 }), /progress is 150, above 100/],
    ['a missing loss', running(5, { loss: undefined }), /required field loss is missing/],
    ['a step as a string', running(5, { current_step: '5' }), /current_step is "5", not a whole number/],
    ['a naive timestamp', running(5, { timestamp: '2025-11-06T12:30:05.123456' }), /timestamp is "2025-11-06T12:30:05.123456", not an ISO-8601 UTC time/],
    ['a local-offset timestamp', running(5, { timestamp: '2025-11-06T13:30:05+01:00' }), /not an ISO-8601 UTC time/],
    ['a GPU utilisation above 100', running(5, { gpu_utilization_percent: 140 }), /gpu_utilization_percent is 140, above 100/],
    ['another job', running(5, { job_id: 'job_other' }), /job_id is "job_other", not "job_abc123"/],
    ['an unknown status', { job_id: JOB, status: 'training', timestamp: '2025-11-06T12:30:00Z' }, /status is "training", not running, completed or failed/],
  ])('fails %s', (_, value, expected) => {
    const problems = judgeStream([message(value)], JOB);
    expect(problems.map((problem) => problem.problem).join('\n')).toMatch(expected);
  });

  it('fails a completion without complete: true and final_loss', () => {
    const problems = judgeStream([message({ job_id: JOB, status: 'completed', timestamp: '2025-11-06T12:31:00Z' })], JOB).map((problem) => problem.problem);
    expect(problems).toEqual(['completed: required field complete is missing', 'completed: required field final_loss is missing']);
  });

  it('fails a step that goes back, a timestamp that goes back, and a message after the final one', () => {
    const problems = judgeStream([message(running(3)), message(running(2, { timestamp: '2025-11-06T12:30:01Z' })), message(completed), message(running(4))], JOB).map((problem) => problem.problem);
    expect(problems).toContain('current_step went back from 3 to 2');
    expect(problems).toContain('timestamp went back from 2025-11-06T12:30:03Z to 2025-11-06T12:30:01Z');
    expect(problems).toContain('a message after the final one (#3)');
  });

  it('accepts equal timestamps (a server with 1 s resolution) and repeated steps (a re-send)', () => {
    expect(judgeStream([message(running(2)), message(running(2)), message(running(3, { timestamp: running(2).timestamp }))], JOB)).toEqual([]);
  });

  it('fails frames that are not JSON objects', () => {
    const problems = judgeStream([message('not json'), message('[1,2]')], JOB).map((problem) => problem.problem);
    expect(problems[0]).toMatch(/^not JSON/);
    expect(problems[1]).toMatch(/^not a JSON object/);
  });
});

describe('stream statistics', () => {
  it('update gaps run from the first message to the final one, not from the open', () => {
    const messages = [message(running(1), 2000), message(running(2), 2300), message(completed, 3500), message(running(9), 9000)];
    expect(updateGaps('c', messages).map((gap) => Math.round(gap.ms))).toEqual([300, 1200]);
  });

  it('measured latency counts each trainer update once; estimated latency uses every timestamp', () => {
    const stamped = (at: number, trainerAt: number): StreamMessage => message(running(1, { timestamp: new Date(1_762_432_200_000 + at).toISOString(), trainer_updated_at: new Date(1_762_432_200_000 + trainerAt).toISOString() }), at);
    const messages = [stamped(1010, 1000), stamped(2005, 1000), stamped(2040, 2000)];
    expect(latencySamples(messages, 'trainer-stamps').map((sample) => sample.ms)).toEqual([10, 40]);
    expect(latencySamples(messages, 'message-timestamps').map((sample) => sample.ms)).toEqual([0, 0, 0]);
  });

  it('reads a timestamp’s resolution from its fraction digits', () => {
    expect(timestampResolutionMs('2025-11-06T12:30:00Z')).toBe(1000);
    expect(timestampResolutionMs('2025-11-06T12:30:00.1Z')).toBe(100);
    expect(timestampResolutionMs('2025-11-06T12:30:00.123456Z')).toBe(1);
  });

  it('sequences of clients that joined at different moments compare from their common start', () => {
    const shared = [running(2), running(3), completed];
    const early = { label: 'a', messages: [message(running(1), 0), ...shared.map((value, index) => message(value, 100 + index))] };
    const late = { label: 'b', messages: [message(running(1, { timestamp: '2025-11-06T12:30:01.5Z' }), 50), ...shared.map((value, index) => message(value, 100 + index))] };
    expect(compareSequences([early, late])).toMatchObject({ identical: true, common: 3, skipped: [1, 1] });
  });

  it('a client that misses a message is found, with the position and what each got', () => {
    const a = { label: 'a', messages: [running(1), running(2), running(3), completed].map((value, index) => message(value, index)) };
    const b = { label: 'b', messages: [running(1), running(3), completed].map((value, index) => message(value, index)) };
    const result = compareSequences([a, b]);
    expect(result.identical).toBe(false);
    expect(result.mismatch?.position).toBe(1);
    expect(result.mismatch?.contents[0]).toContain('"current_step":2');
    expect(result.mismatch?.contents[1]).toContain('"current_step":3');
  });
});

describe('what gaps above --max-interval say (update interval)', () => {
  const gaps = (...ms: number[]): MessageGap[] => ms.map((each, i) => ({ ms: each, fromSeq: i + 1, toSeq: i + 2, client: 'client-1' }));

  it('a loop that sleeps the limit after its work is named a drift, also when a busy machine adds to the work (gaps up to 10 % above)', () => {
    const loaded = gaps(1040, 1061, 1072, 1098, 1081, 1055);
    const said = diagnoseGaps(loaded, loaded, 1000);
    expect(said.text).toMatch(/^\. The gaps sit at the limit \(median 1\.0665 s; 6 of the 6 above it by at most 10 %\): a drift/);
    expect(said.hint).toContain('schedule each send by the clock (next = start + k × 1.00 s)');
  });

  it('updates that come too seldom, or a few late ones among gaps on time, are not called a drift', () => {
    const seldom = gaps(1500, 1480, 1510);
    expect(diagnoseGaps(seldom, seldom, 1000).text).toBe('');
    expect(diagnoseGaps(seldom, seldom, 1000).hint).toMatch(/^send the latest state at least every 1\.00 s/);
    const steady = gaps(1000, 990, 1300, 1000, 1350, 995);
    expect(diagnoseGaps(gaps(1300, 1350), steady, 1000).text).toBe('');
  });
});
