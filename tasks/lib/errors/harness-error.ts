/**
 * The one error type of the harness. It always says what went wrong in words a user can act on,
 * and carries the evidence that proves it (log tails, the last observation, how long we waited).
 */

/** What kind of failure this is decides the process exit code. */
export type ErrorKind = 'check' | 'usage' | 'environment';

export const ExitCode = {
  passed: 0,
  checkFailed: 1,
  usage: 2,
  environment: 3,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export interface Evidence {
  /** Last lines of the process that misbehaved, already redacted. */
  logTail?: string[];
  /** Name of the process the tail belongs to. */
  process?: string;
  /** The last thing a wait saw before it gave up. */
  lastObserved?: string;
  /** How long something was waited for, in milliseconds. */
  waitedMs?: number;
  [key: string]: unknown;
}

export interface HarnessErrorOptions {
  kind?: ErrorKind;
  evidence?: Evidence;
  /** One line telling the user how to fix it. */
  hint?: string;
  cause?: unknown;
}

export class HarnessError extends Error {
  override readonly name = 'HarnessError';
  /** A stable, named error code such as `WAIT_TIMEOUT` or `MODEL_NOT_FOUND`. */
  readonly code: string;
  readonly kind: ErrorKind;
  readonly evidence: Evidence;
  readonly hint: string | undefined;

  constructor(code: string, message: string, options: HarnessErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.kind = options.kind ?? 'check';
    this.evidence = options.evidence ?? {};
    this.hint = options.hint;
  }

  get exitCode(): ExitCodeValue {
    if (this.kind === 'usage') return ExitCode.usage;
    if (this.kind === 'environment') return ExitCode.environment;
    return ExitCode.checkFailed;
  }

  /** `[CODE] message` plus the hint, for one-line displays. */
  describe(): string {
    return `[${this.code}] ${this.message}${this.hint ? ` (fix: ${this.hint})` : ''}`;
  }
}

/** A usage or config error (exit 2). `code` names it: UNKNOWN_FLAG, BAD_FLAG_VALUE, PROFILE_INVALID, … */
export function usageError(message: string, hint?: string, code = 'USAGE'): HarnessError {
  return new HarnessError(code, message, { kind: 'usage', hint });
}

export function isHarnessError(error: unknown): error is HarnessError {
  return error instanceof HarnessError;
}

/** Wraps any thrown value so callers can rely on `code`, `kind` and `evidence`. */
export function toHarnessError(error: unknown, code = 'UNEXPECTED'): HarnessError {
  if (error instanceof HarnessError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new HarnessError(code, message, { cause: error });
}
