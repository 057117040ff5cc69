import { isFinal, statusOf, type StreamMessage } from './stream-message.ts';

/** One thing wrong with one message. */
export interface SchemaProblem {
  seq: number;
  index: number;
  problem: string;
}

/** ISO-8601 in UTC: `2025-11-06T12:30:00Z`, with or without fractional seconds, `Z` or `+00:00`. */
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]00:?00)$/;

type Rule = (value: unknown) => string | undefined;

const number = (min?: number, max?: number): Rule => (value) => {
  if (typeof value !== 'number' || !Number.isFinite(value)) return `is ${JSON.stringify(value)}, not a finite number`;
  if (min !== undefined && value < min) return `is ${value}, below ${min}`;
  if (max !== undefined && value > max) return `is ${value}, above ${max}`;
  return undefined;
};
const integer = (min: number): Rule => (value) => (typeof value === 'number' && Number.isInteger(value) && value >= min ? undefined : `is ${JSON.stringify(value)}, not a whole number ≥ ${min}`);
const nonEmptyString: Rule = (value) => (typeof value === 'string' && value.trim() !== '' ? undefined : `is ${JSON.stringify(value)}, not a non-empty string`);
const isTrue: Rule = (value) => (value === true ? undefined : `is ${JSON.stringify(value)}, not true`);
const orNull = (rule: Rule): Rule => (value) => (value === null ? undefined : rule(value));
const isoUtc: Rule = (value) => (typeof value === 'string' && ISO_UTC.test(value) && !Number.isNaN(Date.parse(value)) ? undefined : `is ${JSON.stringify(value)}, not an ISO-8601 UTC time (like 2025-11-06T12:30:00Z)`);

/** Required and optional fields per status, from the seed's message formats. */
const SCHEMA: Record<string, { required: Record<string, Rule>; optional: Record<string, Rule> }> = {
  running: {
    required: { progress: number(0, 100), current_step: integer(0), total_steps: integer(1), current_epoch: integer(0), total_epochs: integer(1), loss: number(), timestamp: isoUtc },
    optional: { eval_loss: orNull(number()), samples_per_second: orNull(number(0)), gpu_memory_allocated_gb: orNull(number(0)), gpu_utilization_percent: orNull(number(0, 100)), eta_seconds: orNull(number(0)) },
  },
  completed: { required: { complete: isTrue, final_loss: number(), timestamp: isoUtc }, optional: {} },
  failed: { required: { complete: isTrue, error: nonEmptyString, timestamp: isoUtc }, optional: {} },
};

/** How far `progress` may be from 100 × current_step / total_steps (percentage points). */
export const PROGRESS_TOLERANCE = 1;

/**
 * Judges one client's stream against the message formats: each message on its own (types,
 * ranges, required fields, progress consistent with the steps) and the sequence (job id, constant
 * totals, `current_step` never going back, timestamps never going back, nothing after the final
 * message). Returns every problem found, in order.
 */
export function judgeStream(messages: readonly StreamMessage[], jobId: string): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  let previousStep: number | undefined;
  let previousTime: { text: string; ms: number } | undefined;
  let totals: { steps: unknown; epochs: unknown } | undefined;
  let finalIndex: number | undefined;
  messages.forEach((message, index) => {
    const add = (problem: string): void => void problems.push({ seq: message.seq, index, problem });
    if (finalIndex !== undefined) add(`a message after the final one (#${finalIndex + 1})`);
    const value = message.value;
    if (!value) return add(message.problem ?? 'not a JSON object');
    if (value.job_id !== jobId) add(`job_id is ${JSON.stringify(value.job_id)}, not ${JSON.stringify(jobId)}`);
    const status = statusOf(message);
    const schema = status === undefined ? undefined : SCHEMA[status];
    if (!schema) return add(`status is ${JSON.stringify(value.status)}, not running, completed or failed`);
    for (const [field, rule] of Object.entries(schema.required)) {
      if (!(field in value)) add(`${status}: required field ${field} is missing`);
      else {
        const wrong = rule(value[field]);
        if (wrong) add(`${status}: ${field} ${wrong}`);
      }
    }
    for (const [field, rule] of Object.entries(schema.optional)) {
      if (!(field in value)) continue;
      const wrong = rule(value[field]);
      if (wrong) add(`${status}: ${field} ${wrong}`);
    }
    if (isFinal(message)) finalIndex = index;
    if (status === 'running') {
      const { progress, current_step: step, total_steps: total, current_epoch: epoch, total_epochs: epochs } = value;
      if (typeof step === 'number' && typeof total === 'number' && total > 0) {
        if (step > total) add(`current_step ${step} is above total_steps ${total}`);
        if (typeof progress === 'number') {
          const expected = (100 * step) / total;
          if (Math.abs(progress - expected) > PROGRESS_TOLERANCE) add(`progress ${progress} does not match the steps: ${step}/${total} is ${expected.toFixed(2)}% (tolerance ±${PROGRESS_TOLERANCE})`);
        }
        if (previousStep !== undefined && step < previousStep) add(`current_step went back from ${previousStep} to ${step}`);
        previousStep = step;
      }
      if (typeof epoch === 'number' && typeof epochs === 'number' && epoch > epochs) add(`current_epoch ${epoch} is above total_epochs ${epochs}`);
      if (totals && (totals.steps !== total || totals.epochs !== epochs)) add(`the totals changed mid-stream: ${String(totals.steps)}/${String(totals.epochs)} → ${String(total)}/${String(epochs)} (steps/epochs)`);
      totals = { steps: total, epochs };
    }
    if (typeof value.timestamp === 'string' && !isoUtc(value.timestamp)) {
      const ms = Date.parse(value.timestamp);
      if (previousTime && ms < previousTime.ms) add(`timestamp went back from ${previousTime.text} to ${value.timestamp}`);
      previousTime = { text: value.timestamp, ms };
    }
  });
  return problems;
}
