import type { GateState } from './judge/judge-types.ts';

/** What one probe saw on one subject: the gate state, one line saying why, and a timing when it has one. */
export interface ProbeOutcome {
  state: GateState;
  detail: string;
  /** The probe's main timing (detection time, recovery time), in ms. */
  valueMs?: number;
  /** The timing the subject promises for `valueMs` (before the allowance for a loaded machine), when there is one. */
  budgetMs?: number;
  evidence?: Record<string, unknown>;
}

export type Role = 'baseline' | 'canary';
export const ROLES: readonly Role[] = ['baseline', 'canary'];

/** Runs a probe body; an error (the subject exited, a wait gave up) is a failed probe with its message. */
export async function settleProbe(body: () => Promise<ProbeOutcome>): Promise<ProbeOutcome> {
  try {
    return await body();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const evidence = typeof error === 'object' && error && 'evidence' in error ? (error.evidence as Record<string, unknown>) : undefined;
    return { state: 'fail', detail: message, ...(evidence ? { evidence } : {}) };
  }
}
