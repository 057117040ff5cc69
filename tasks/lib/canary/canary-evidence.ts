import type { GateOutcome, MetricInput } from './judge/judge-types.ts';
import type { RunReport } from '../report/run-report.ts';
import type { ProbeOutcome, Role } from './probe-outcome.ts';

/** What a kind's probes produced, ready for the judge: gates, metric samples, and what each side was. */
export interface CanaryEvidence {
  gates: GateOutcome[];
  /** The per-side outcome behind each gate (for the report). */
  probes: Array<{ name: string; baseline: ProbeOutcome; canary: ProbeOutcome }>;
  metrics: MetricInput[];
  /** Faults the proxies applied, on the run clock. */
  faults: unknown[];
  /** Subject processes that exited without the harness asking them to (code/signal, when, last log line). */
  crashes?: Partial<Record<Role, { detail: string }>>;
  /** Probes not run, and why (e.g. the max-age probe without --max-age). */
  skipped: Array<{ name: string; why: string }>;
}

export function emptyEvidence(): CanaryEvidence {
  return { gates: [], probes: [], metrics: [], faults: [], skipped: [] };
}

/** A pass that needed the allowance: its timing is beyond what the subject promises (`budgetMs`), in words. */
function marginal(outcome: ProbeOutcome): string | undefined {
  if (outcome.state !== 'pass' || outcome.valueMs === undefined || outcome.budgetMs === undefined || outcome.valueMs <= outcome.budgetMs) return undefined;
  return `${Math.round(outcome.valueMs)} ms against a budget of ${Math.round(outcome.budgetMs)} ms`;
}

/** Adds a gate from the two sides' probe outcomes. */
export function addGate(evidence: CanaryEvidence, name: string, outcomes: Record<Role, ProbeOutcome>, critical = false): void {
  evidence.probes.push({ name, baseline: outcomes.baseline, canary: outcomes.canary });
  evidence.gates.push({ name, baseline: outcomes.baseline.state, canary: outcomes.canary.state, detail: `baseline: ${outcomes.baseline.detail} | canary: ${outcomes.canary.detail}`, canaryDetail: outcomes.canary.detail, ...(marginal(outcomes.baseline) ? { baselineMarginal: marginal(outcomes.baseline) } : {}), ...(critical ? { critical } : {}) });
}

/** Runs the same probe on both sides at once (both see the same idle period and machine load). */
export async function bothSides(probe: (role: Role) => Promise<ProbeOutcome>): Promise<Record<Role, ProbeOutcome>> {
  const [baseline, canary] = await Promise.all([probe('baseline'), probe('canary')]);
  return { baseline, canary };
}

/** A check of a side's own report (worker:test, status-protocol:test) as that side's gate outcome; a skipped check gave no data. */
export function outcomeOf(report: RunReport, name: string): ProbeOutcome {
  const check = report.checks.find((candidate) => candidate.name === name);
  if (!check) return { state: 'no-data', detail: 'not run' };
  return { state: check.verdict === 'pass' ? 'pass' : check.verdict === 'fail' ? 'fail' : 'no-data', detail: check.detail };
}
