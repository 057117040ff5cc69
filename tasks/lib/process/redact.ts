/**
 * Removes secrets from text before it reaches a log file, a terminal or a report: values of
 * `Authorization` headers, bearer tokens, `token=`/`api_key=` style assignments, `--token` flags,
 * and any literal secret the caller registered (for example the value of `HF_TOKEN`).
 */
const MASK = '[REDACTED]';

const PATTERNS: ReadonlyArray<[RegExp, string]> = [
  // Authorization: Bearer abc / "authorization": "Basic xyz"
  [/(["']?authorization["']?\s*[:=]\s*["']?)([^"'\r\n,}]+)/gi, `$1${MASK}`],
  // Bearer tokens anywhere
  [/\b(bearer\s+)[A-Za-z0-9._~+/=-]+/gi, `$1${MASK}`],
  // token=..., api_key: "...", "secret": "...", password=...
  [/(["']?\b(?:[a-z_]*token|api[_-]?key|secret|password|passwd)["']?\s*[:=]\s*["']?)([^"'\s,&}]+)/gi, `$1${MASK}`],
  // --token value / --api-key=value
  [/(--(?:[a-z-]*token|api-key|secret|password)(?:=|\s+))(\S+)/gi, `$1${MASK}`],
];

const SECRET_ENV_NAME = /(TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|AUTH)/i;

export class Redactor {
  readonly #literals: string[];

  constructor(secrets: Iterable<string> = []) {
    // Longest first, so a secret that contains another is masked whole.
    this.#literals = [...new Set([...secrets].filter((s) => s.length >= 4))].sort((a, b) => b.length - a.length);
  }

  /** Secrets are the values of env entries whose names look secret (HF_TOKEN, API_KEY, …). */
  static fromEnv(env: Record<string, string | undefined>, extra: Iterable<string> = []): Redactor {
    const values = Object.entries(env)
      .filter(([name, value]) => value !== undefined && value.length >= 8 && SECRET_ENV_NAME.test(name))
      .map(([, value]) => value as string);
    return new Redactor([...values, ...extra]);
  }

  redact(text: string): string {
    let out = text;
    for (const literal of this.#literals) out = out.split(literal).join(MASK);
    for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
    return out;
  }
}

export const defaultRedactor = new Redactor();

export function redact(text: string): string {
  return defaultRedactor.redact(text);
}
