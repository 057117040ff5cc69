import type { CheckResult } from '../report/check-result.ts';
import { Redactor } from '../process/redact.ts';
import { formatDuration } from '../time/format-duration.ts';

export type OutputMode = 'tty' | 'plain';

export interface ReporterOptions {
  mode: OutputMode;
  quiet: boolean;
  write: (text: string) => void;
  /** Masks secrets in everything printed (default: tokens, Authorization values, secret-named env values). */
  redactor?: Redactor;
}

/**
 * Progress output of a run. On a TTY: step lines with elapsed times and ✅/❌ as checks end.
 * Elsewhere (pipes, CI=true): one plain line per event, each stamped with the elapsed time.
 * `--quiet` keeps only the final summary.
 */
export class Reporter {
  readonly #options: ReporterOptions;
  readonly #raw: (text: string) => void;
  readonly #started = performance.now();

  constructor(options: ReporterOptions) {
    // Every line goes through the redactor: a command line, a check detail or a log tail quoting
    // a token is masked here even if the code that built it forgot.
    const redactor = options.redactor ?? Redactor.fromEnv(process.env);
    this.#raw = options.write;
    this.#options = { ...options, write: (text) => options.write(redactor.redact(text)) };
  }

  static detectMode(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): OutputMode {
    const ci = env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0';
    return stream.isTTY && !ci ? 'tty' : 'plain';
  }

  get mode(): OutputMode {
    return this.#options.mode;
  }

  #elapsed(): string {
    return `+${((performance.now() - this.#started) / 1000).toFixed(3)}s`;
  }

  #event(kind: string, text: string): void {
    if (this.#options.quiet) return;
    if (this.#options.mode === 'plain') this.#options.write(`[${this.#elapsed()}] ${kind}: ${text}\n`);
    else this.#options.write(`${text}\n`);
  }

  /** A phase of the run begins ("Starting worker"). */
  step(text: string): void {
    if (this.#options.mode === 'tty') this.#event('step', `\n▶ ${text}  \x1b[2m${this.#elapsed()}\x1b[0m`);
    else this.#event('step', text);
  }

  info(text: string): void {
    this.#event('info', this.#options.mode === 'tty' ? `  ${text}` : text);
  }

  warn(text: string): void {
    this.#event('warn', this.#options.mode === 'tty' ? `  ⚠️  ${text}` : text);
  }

  check(result: CheckResult): void {
    const mark = { pass: '✅', fail: '❌', skip: '⏭️ ', interrupted: '⛔' }[result.verdict];
    const line = `${result.name} — ${result.detail} (${formatDuration(result.durationMs)})`;
    this.#event(result.verdict, this.#options.mode === 'tty' ? `  ${mark} ${line}` : `${mark} ${line}`);
  }

  /**
   * Text printed unmasked, quiet or not: only for a secret the user must be shown once (the run's
   * hive token, to hand to a worker the harness did not start). Everything else goes through the redactor.
   */
  reveal(text: string): void {
    this.#raw(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** Raw text that is always printed (the summary), quiet or not. */
  print(text: string): void {
    this.#options.write(text.endsWith('\n') ? text : `${text}\n`);
  }
}
