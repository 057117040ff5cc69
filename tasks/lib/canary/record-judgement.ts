import { HarnessError } from '../errors/harness-error.ts';
import type { RunReport } from '../report/run-report.ts';
import type { CanaryEvidence } from './canary-evidence.ts';
import { CANARY_EXIT_CODES } from './judge/judge.ts';
import type { CanaryJudgement } from './judge/judge-types.ts';
import { judgementToJunitCases } from './judge/judgement-junit.ts';

/**
 * Puts a judgement into the run report: one check per gate and per metric (the judge's own
 * cases, so the screen, report.json and junit.xml list what it decided on), the `canary`
 * section of report.json, and the decision that sets the exit code (promote 0, rollback 1, hold 4).
 */
export async function recordJudgement(report: RunReport, judgement: CanaryJudgement, evidence: CanaryEvidence, compared: Record<string, string>): Promise<void> {
  for (const item of judgementToJunitCases(judgement)) {
    if (item.verdict === 'skip') {
      report.skip(item.name, item.detail);
      continue;
    }
    await report.check(item.name, async () => {
      if (item.verdict === 'pass') return { detail: item.detail, evidence: item.evidence };
      throw new HarnessError(item.code ?? 'CANARY_CHECK_FAILED', item.detail, { evidence: item.evidence });
    });
  }
  for (const { name, why } of evidence.skipped) report.skip(`gate: ${name}`, `skipped: ${why}`);
  report.sections.canary = { decision: judgement.decision, score: judgement.score, compared, reasons: judgement.reasons, gates: judgement.gates, probes: evidence.probes, metrics: judgement.metrics, samples: evidence.metrics, faults: evidence.faults, ...(evidence.skipped.length ? { skipped: evidence.skipped } : {}), ...(evidence.crashes && Object.keys(evidence.crashes).length ? { crashes: evidence.crashes } : {}) };
  report.decision = { verdict: judgement.decision, exitCode: CANARY_EXIT_CODES[judgement.decision], reason: judgement.reasons[0] ?? '' };
}
