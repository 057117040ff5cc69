/**
 * The canary judge: hard gates first, then each numeric metric (see metric-verdict.ts), then one
 * of three decisions. Pure: no I/O, no clock, no randomness.
 *
 * Decision, in this order:
 * 1. rollback — a gate regressed (passes on the baseline; fails or gives no data on the canary);
 *    a critical gate does not pass on the canary while the baseline gave no data for it;
 *    a critical metric failed (veto); any metric failed decisively (significant, beyond the floor
 *    over its whole interval, or a confirmed tail regression); or a metric has baseline samples
 *    but none from the canary (the canary lost it).
 * 2. hold (a person decides) — a gate, critical or not, fails on both sides (no evidence against
 *    the canary: the probe or its budget does not fit this subject; never a rollback); a gate or metric with no data on either
 *    side or no baseline data (no data is never a pass); nothing judged at all; and, when the
 *    score (share of metrics that pass) is below minScore, each non-decisive fail and each
 *    inconclusive metric (too little data). With the default minScore 1 any of those holds; a
 *    lower minScore tolerates a few among many metrics (they are listed as notes).
 * 3. promote — otherwise: every gate passes on the canary and every metric passes.
 *
 * Exit codes for the task: promote 0, rollback 1, hold 4 (`CANARY_EXIT_CODES`).
 */
import { resolveJudgeOptions, validateJudgeInput } from './judge-input.ts';
import type { CanaryDecision, CanaryJudgement, GateOutcome, JudgeOptions, MetricInput, MetricVerdict } from './judge-types.ts';
import { judgeMetric } from './metric-verdict.ts';

export const CANARY_EXIT_CODES: Readonly<Record<CanaryDecision, 0 | 1 | 4>> = { promote: 0, rollback: 1, hold: 4 };

export function canaryExitCode(decision: CanaryDecision): 0 | 1 | 4 {
  return CANARY_EXIT_CODES[decision];
}

interface Findings {
  rollback: string[];
  hold: string[];
  /** Holds that a score at or above minScore tolerates (inconclusive, non-decisive fails). */
  soft: string[];
  notes: string[];
}

function judgeGate(gate: GateOutcome, findings: Findings): void {
  const label = `gate "${gate.name}"`;
  const canaryText = gate.canary === 'fail' ? 'fails' : 'gives no data';
  if (gate.canary === 'pass') {
    if (gate.baseline !== 'pass') findings.notes.push(`${label} passes on the canary (baseline: ${gate.baseline})`);
    return;
  }
  if (gate.baseline === 'pass' && gate.baselineMarginal) {
    findings.hold.push(`${label} passes on the baseline only within the allowance (${gate.baselineMarginal}) and ${canaryText} on the canary: the budget does not fit this subject (its own timing reaches beyond it), so the canary's miss is no evidence against it`);
  } else if (gate.baseline === 'pass') {
    findings.rollback.push(`${label} regressed: passes on the baseline, ${canaryText} on the canary${gate.canaryDetail ? ` (canary: ${gate.canaryDetail})` : ''}`);
  } else if (gate.baseline === 'fail' && gate.canary === 'fail') {
    // No evidence against the canary, critical or not: the baseline cannot meet it either.
    findings.hold.push(`${gate.critical ? 'critical ' : ''}${label} fails on both sides: the probe or its budget does not fit this subject (not the canary's fault, but nothing shows the canary is fine there)`);
  } else if (gate.critical) {
    findings.rollback.push(`critical ${label} ${canaryText} on the canary (baseline: ${gate.baseline}); a critical gate must pass`);
  } else {
    findings.hold.push(`${label} has no data (baseline: ${gate.baseline}, canary: ${gate.canary}): no data is never a pass`);
  }
}

function judgeVerdict(verdict: MetricVerdict, findings: Findings): void {
  const label = `${verdict.critical ? 'critical ' : ''}metric "${verdict.name}"`;
  switch (verdict.verdict) {
    case 'pass':
      return;
    case 'fail':
      if (verdict.critical) findings.rollback.push(`${label} failed (veto): ${verdict.reason}`);
      else if (verdict.decisive) findings.rollback.push(`${label} failed decisively: ${verdict.reason}`);
      else findings.soft.push(`${label} failed, not decisively: ${verdict.reason}`);
      return;
    case 'inconclusive':
      findings.soft.push(`${label} inconclusive: ${verdict.reason}`);
      return;
    case 'no-data':
      if (verdict.n.baseline > 0 && verdict.n.canary === 0) findings.rollback.push(`${label}: ${verdict.reason}`);
      else findings.hold.push(`${label}: ${verdict.reason}`);
      return;
  }
}

export function judgeCanary(gates: GateOutcome[], metrics: MetricInput[], options?: JudgeOptions): CanaryJudgement {
  const resolved = resolveJudgeOptions(options);
  validateJudgeInput(gates, metrics);
  const verdicts = metrics.map((metric) => judgeMetric(metric, resolved));
  const passed = verdicts.filter((verdict) => verdict.verdict === 'pass').length;
  const score = verdicts.length === 0 ? 1 : passed / verdicts.length;

  const findings: Findings = { rollback: [], hold: [], soft: [], notes: [] };
  for (const gate of gates) judgeGate(gate, findings);
  for (const verdict of verdicts) {
    judgeVerdict(verdict, findings);
    if (verdict.lost) findings.notes.push(`metric "${verdict.name}": samples lost (asked for, never answered in time): baseline ${verdict.lost.baseline}, canary ${verdict.lost.canary}`);
  }
  if (gates.length === 0 && metrics.length === 0) findings.hold.push('nothing was judged: no gates and no metrics');
  if (score < resolved.minScore) {
    findings.hold.push(...findings.soft);
    if (resolved.minScore < 1) findings.hold.push(`score ${passed}/${verdicts.length} metrics pass, below the ${resolved.minScore} needed to promote`);
  } else {
    findings.notes.push(...findings.soft.map((finding) => `tolerated (score ${passed}/${verdicts.length} ≥ ${resolved.minScore}): ${finding}`));
  }

  const decision: CanaryDecision = findings.rollback.length > 0 ? 'rollback' : findings.hold.length > 0 ? 'hold' : 'promote';
  const headline =
    decision === 'promote'
      ? [`promote: ${gates.length} gate${gates.length === 1 ? '' : 's'} pass on the canary, ${passed}/${verdicts.length} metrics pass`]
      : [];
  return {
    decision,
    score,
    gates: gates.map((gate) => ({ ...gate })),
    metrics: verdicts,
    reasons: [...findings.rollback, ...findings.hold, ...headline, ...findings.notes],
  };
}
