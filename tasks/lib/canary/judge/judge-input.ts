/**
 * Checks what the judge is given before any statistics: options in range, every sample a finite
 * number, names unique. Bad input is a usage error (exit 2) that names the metric and the value.
 */
import { HarnessError } from '../../errors/harness-error.ts';
import type { GateOutcome, JudgeOptions, MetricInput } from './judge-types.ts';

export type ResolvedJudgeOptions = Required<JudgeOptions>;

export const DEFAULT_JUDGE_OPTIONS: ResolvedJudgeOptions = {
  alpha: 0.05,
  effectFloor: 1.1,
  tailQuantile: 0.95,
  tailMaxRatio: 1.25,
  confidence: 0.95,
  minScore: 1,
};

const RANGES: Record<keyof ResolvedJudgeOptions, { ok: (value: number) => boolean; expected: string }> = {
  alpha: { ok: (value) => value > 0 && value < 1, expected: 'between 0 and 1 (exclusive)' },
  effectFloor: { ok: (value) => value >= 1, expected: 'a ratio ≥ 1 (e.g. 1.10)' },
  tailQuantile: { ok: (value) => value > 0.5 && value < 1, expected: 'between 0.5 and 1 (exclusive), e.g. 0.95' },
  tailMaxRatio: { ok: (value) => value >= 1, expected: 'a ratio ≥ 1 (e.g. 1.25)' },
  confidence: { ok: (value) => value > 0 && value < 1, expected: 'between 0 and 1 (exclusive), e.g. 0.95' },
  minScore: { ok: (value) => value >= 0 && value <= 1, expected: 'between 0 and 1' },
};

function badInput(code: string, message: string, evidence: Record<string, unknown>, hint: string): HarnessError {
  return new HarnessError(code, message, { kind: 'usage', evidence, hint });
}

export function resolveJudgeOptions(options: JudgeOptions = {}): ResolvedJudgeOptions {
  const resolved = { ...DEFAULT_JUDGE_OPTIONS };
  for (const key of Object.keys(RANGES) as (keyof ResolvedJudgeOptions)[]) {
    const value = options[key];
    if (value === undefined) continue;
    const range = RANGES[key];
    if (typeof value !== 'number' || !Number.isFinite(value) || !range.ok(value)) {
      throw badInput('CANARY_BAD_OPTION', `canary judge option ${key} = ${String(value)} is out of range`, { option: key, value: String(value) }, `use ${range.expected}`);
    }
    resolved[key] = value;
  }
  return resolved;
}

function checkSamples(metric: MetricInput, side: 'baseline' | 'canary'): void {
  const samples = metric[side];
  if (!Array.isArray(samples)) {
    throw badInput('CANARY_BAD_SAMPLE', `metric "${metric.name}": ${side} samples are not a list`, { metric: metric.name, side }, 'pass an array of numbers (empty when there is no data)');
  }
  const index = samples.findIndex((value) => typeof value !== 'number' || !Number.isFinite(value));
  if (index >= 0) {
    throw badInput(
      'CANARY_BAD_SAMPLE',
      `metric "${metric.name}": ${side} sample #${index + 1} is ${String(samples[index])}, not a finite number`,
      { metric: metric.name, side, index, value: String(samples[index]) },
      'record a failed measurement as a failed gate or leave it out; never as NaN or Infinity',
    );
  }
}

function checkReplicates(metric: MetricInput, side: 'baseline' | 'canary'): void {
  const ids = metric.replicates?.[side];
  if (!Array.isArray(ids) || ids.length !== metric[side].length) {
    throw badInput('CANARY_BAD_REPLICATES', `metric "${metric.name}": ${side} replicates must list one replicate per sample (${metric[side].length})`, { metric: metric.name, side, replicates: Array.isArray(ids) ? ids.length : String(ids) }, 'give each sample the id of the process it came from, or leave replicates out');
  }
  const index = ids.findIndex((id) => !Number.isInteger(id) || id < 0);
  if (index >= 0) {
    throw badInput('CANARY_BAD_REPLICATES', `metric "${metric.name}": ${side} replicate #${index + 1} is ${String(ids[index])}, not a whole number ≥ 0`, { metric: metric.name, side, index, value: String(ids[index]) }, 'use the round number of the process the sample came from');
  }
}

export function validateJudgeInput(gates: readonly GateOutcome[], metrics: readonly MetricInput[]): void {
  const states = new Set(['pass', 'fail', 'no-data']);
  const seen = new Set<string>();
  for (const gate of gates) {
    if (seen.has(`gate:${gate.name}`)) throw badInput('CANARY_DUPLICATE_NAME', `gate "${gate.name}" is listed twice`, { gate: gate.name }, 'give each gate a unique name');
    seen.add(`gate:${gate.name}`);
    for (const side of ['baseline', 'canary'] as const) {
      if (!states.has(gate[side])) {
        throw badInput('CANARY_BAD_GATE', `gate "${gate.name}": ${side} state ${String(gate[side])} is not pass, fail or no-data`, { gate: gate.name, side }, "use 'pass', 'fail' or 'no-data'");
      }
    }
  }
  for (const metric of metrics) {
    if (seen.has(`metric:${metric.name}`)) throw badInput('CANARY_DUPLICATE_NAME', `metric "${metric.name}" is listed twice`, { metric: metric.name }, 'give each metric a unique name');
    seen.add(`metric:${metric.name}`);
    if (metric.better !== 'lower' && metric.better !== 'higher') {
      throw badInput('CANARY_BAD_METRIC', `metric "${metric.name}": better = ${String(metric.better)}`, { metric: metric.name }, "use better: 'lower' or 'higher'");
    }
    if (metric.minEffect !== undefined && !(Number.isFinite(metric.minEffect) && metric.minEffect >= 0)) {
      throw badInput('CANARY_BAD_METRIC', `metric "${metric.name}": minEffect = ${String(metric.minEffect)}`, { metric: metric.name }, 'use a finite number ≥ 0 in the metric\'s unit, or leave it out');
    }
    checkSamples(metric, 'baseline');
    checkSamples(metric, 'canary');
    if (metric.replicates !== undefined) for (const side of ['baseline', 'canary'] as const) checkReplicates(metric, side);
  }
}
