/**
 * Types of the canary judge: what the `canary:check` task feeds it (hard gates and numeric metric
 * samples, baseline and canary side by side) and the judgement it gets back. Pure data, no I/O.
 */

export type CanaryDecision = 'promote' | 'hold' | 'rollback';

export type GateState = 'pass' | 'fail' | 'no-data';

/** A hard gate: one probe's pass/fail on each side (e.g. "first message after idle"). */
export interface GateOutcome {
  name: string;
  baseline: GateState;
  canary: GateState;
  detail?: string;
  /** What the canary's probe saw, in one line: named in the reason when the gate decides. */
  canaryDetail?: string;
  /**
   * The baseline passed only within the allowance for a loaded machine (its timing is beyond the
   * budget the subject promises), in words: then the budget cuts through the subject's own range,
   * and the canary failing the gate is no evidence against it (a hold, not a rollback).
   */
  baselineMarginal?: string;
  critical?: boolean;
}

/** One numeric metric: samples from each side. Values must be finite numbers. */
export interface MetricInput {
  /** e.g. 'ttft', 'stale-path detection' */
  name: string;
  /** e.g. 'ms', 'tokens/s' */
  unit: string;
  better: 'lower' | 'higher';
  /** A failing critical metric vetoes promotion (→ rollback). */
  critical?: boolean;
  /**
   * Optional absolute floor, in the metric's unit: a worse shift of the median (or of the tail) by
   * no more than this is noise whatever its ratio — for a metric whose small values make ratios
   * meaningless (heartbeat jitter of 4 ms vs 14 ms, against a ± 250 ms tolerance).
   */
  minEffect?: number;
  baseline: number[];
  canary: number[];
  /** Samples asked for but lost (no answer in time): flagged in the metric's row, not judged. */
  lost?: { baseline: number; canary: number };
  /**
   * Optional: per sample, the replicate (the process, e.g. round i's worker) it came from; same
   * length as the samples. With two or more replicates on a side, a regression must show in every
   * process pair (see replicate-consistency.ts).
   */
  replicates?: { baseline: number[]; canary: number[] };
  /**
   * What a replicate is: `process` (default: round i's fresh baseline and canary process) or
   * `block` (one process per side, sampled in blocks between probes: a stall of one process in one
   * block is not a difference between versions).
   */
  replicateUnit?: 'process' | 'block';
}

/** One process pair of a metric with replicates: round i's baseline against round i's canary. */
export interface ReplicatePair {
  replicate: number;
  median: { baseline: number | null; canary: number | null };
  /** The statistic compared, when not the median (a tail-only regression compares the tail quantile). */
  compared?: { quantile: number; baseline: number | null; canary: number | null };
  /** Canary worse than baseline in this pair (null: a side has no samples from it). */
  canaryWorse: boolean | null;
}

export interface JudgeOptions {
  /** Significance level of the rank test and of the tail test. Default 0.05. */
  alpha?: number;
  /** Effect-size floor as a ratio of medians: a significant shift smaller than this is noise. Default 1.10. */
  effectFloor?: number;
  /** Tail quantile for the worse side (0.95 → p95 for lower-is-better, p5 for higher-is-better). Default 0.95. */
  tailQuantile?: number;
  /** Canary tail worse than the baseline tail by more than this ratio fails (when confirmed). Default 1.25. */
  tailMaxRatio?: number;
  /** Confidence of the Hodges–Lehmann interval. Default 0.95. */
  confidence?: number;
  /** Share of metrics that must pass for promote (the rest hold). Default 1 (every metric passes). */
  minScore?: number;
}

export interface MetricVerdict {
  name: string;
  unit: string;
  better: 'lower' | 'higher';
  critical: boolean;
  n: { baseline: number; canary: number };
  median: { baseline: number | null; canary: number | null };
  /** canary median / baseline median (null when not defined: no data, or baseline median ≤ 0). */
  ratio: number | null;
  /** Hodges–Lehmann shift, canary − baseline, with its distribution-free interval. */
  shift: { estimate: number; low: number; high: number; confidence: number } | null;
  /** Two-sided Mann–Whitney U p-value. */
  p: number | null;
  /**
   * Worse-side tail: `quantile` is 0.95 for lower-is-better, 0.05 for higher-is-better; ratio is
   * canary / baseline. `p` (optional) is the one-sided exceedance test that confirms a tail regression.
   */
  tail: { quantile: number; baseline: number | null; canary: number | null; ratio: number | null; p?: number | null } | null;
  verdict: 'pass' | 'fail' | 'inconclusive' | 'no-data';
  reason: string;
  /** Mann–Whitney U of the canary sample (pairs canary > baseline, ties count ½). */
  u?: number | null;
  /** How p was computed. */
  method?: 'exact' | 'asymptotic' | null;
  /** For a fail: whether it alone is enough to roll back (see judge.ts). */
  decisive?: boolean;
  /** Samples lost per side (asked for, never answered), when any were. */
  lost?: { baseline: number; canary: number };
  /** Per process pair, when the metric carries replicates: medians, and in how many pairs the canary is worse. */
  replicates?: { pairs: ReplicatePair[]; compared: number; worse: number; unit?: 'process' | 'block' };
}

export interface CanaryJudgement {
  decision: CanaryDecision;
  /** Share of metrics whose verdict is pass (1 when there are no metrics). */
  score: number;
  gates: GateOutcome[];
  metrics: MetricVerdict[];
  reasons: string[];
}
