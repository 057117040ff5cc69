/** One message of a training progress stream, as the client received it. */
export interface StreamMessage {
  /** Frame number in the session's log. */
  seq: number;
  /** `performance.now()` on receipt. */
  atMs: number;
  /** Epoch milliseconds on receipt (comparable with a same-host server's stamps). */
  epochMs: number;
  text: string;
  /** The parsed JSON object; undefined when the frame was not one (see `problem`). */
  value: Record<string, unknown> | undefined;
  /** Why the frame is not a JSON object: a BINARY frame, bad JSON, a JSON array… */
  problem?: string;
}

export const FINAL_STATUSES = ['completed', 'failed'] as const;

export function statusOf(message: StreamMessage | undefined): string | undefined {
  const status = message?.value?.status;
  return typeof status === 'string' ? status : undefined;
}

/** `completed`/`failed`, or `complete: true`: the job is over and the server should close. */
export function isFinal(message: StreamMessage): boolean {
  const status = statusOf(message);
  return message.value?.complete === true || status === 'completed' || status === 'failed';
}

export function stepOf(message: StreamMessage | undefined): number | undefined {
  const step = message?.value?.current_step;
  return typeof step === 'number' ? step : undefined;
}

/** `running 40/80 50% loss 0.52`, `completed final_loss 0.15`, `failed: <error>` */
export function summarizeMessage(value: Record<string, unknown>): string {
  const status = String(value.status ?? '?');
  if (status === 'running') {
    const progress = typeof value.progress === 'number' ? ` ${value.progress}%` : '';
    return `running ${String(value.current_step ?? '?')}/${String(value.total_steps ?? '?')}${progress} loss ${String(value.loss ?? '?')}`;
  }
  if (status === 'completed') return `completed final_loss ${String(value.final_loss ?? '?')}`;
  if (status === 'failed') return `failed: ${String(value.error ?? '?').slice(0, 80)}`;
  return JSON.stringify(value).slice(0, 100);
}

/** Parses a TEXT frame into a message value, or says why it is not one. */
export function parseStreamText(text: string): { value?: Record<string, unknown>; problem?: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { problem: `not JSON (${(error as Error).message}): ${JSON.stringify(text.slice(0, 80))}` };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { problem: `not a JSON object: ${JSON.stringify(text.slice(0, 80))}` };
  return { value: parsed as Record<string, unknown> };
}
