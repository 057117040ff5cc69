/**
 * Removes secrets from text before it reaches a log file, a terminal or a report: values of
 * `Authorization` headers, bearer tokens, `token=`/`api_key=` style assignments, `--token` flags,
 * and any literal secret the caller registered (for example the value of `HF_TOKEN`).
 *
 * Only the value is masked, and only when it can be one: a placeholder (`<key>`, `{apiKey}`), a
 * bare scheme name (`Bearer`), another flag or a word of prose after `--api-key` or
 * `Authorization:` is left as written, so help texts and fix hints that name these read intact.
 */
const MASK = '[REDACTED]';

/** An HTTP credential: `Bearer abc`, `Basic dXNl…`, or a bare token (RFC 7235 token68, plus `:`). */
const CREDENTIAL = String.raw`(?:[A-Za-z]+\s+)?[A-Za-z0-9._~+/=:-]+`;
const AUTH_SCHEMES = /^(?:bearer|basic|digest|negotiate|token)$/i;
/** Words that follow a secret's name in prose ("pass --api-key or --header …"), never a secret. */
const PROSE = /^(?:or|and|to|with|as|is|the|a|an|if|when|not|flag|value|option|header|token|tokens|key)$/i;

/** True when a value written after a secret's name is not a secret: a placeholder, a flag, punctuation, prose. */
function notASecret(value: string): boolean {
  return /^[<{([-]/.test(value) || !/[A-Za-z0-9]/.test(value) || PROSE.test(value) || value === MASK;
}

const PATTERNS: ReadonlyArray<[RegExp, (prefix: string, value: string) => boolean]> = [
  // Authorization: Bearer abc / "authorization": "Basic xyz"
  [new RegExp(String.raw`(["']?authorization["']?\s*[:=]\s*["']?)(${CREDENTIAL})`, 'gi'), (_, value) => AUTH_SCHEMES.test(value)],
  // Bearer tokens anywhere
  [/(\bbearer\s+)([A-Za-z0-9._~+/=-]+)/gi, (_, value) => notASecret(value)],
  // token=..., api_key: "...", "secret": "...", password=...
  [/(["']?\b(?:[a-z_]*token|api[_-]?key|secret|password|passwd)["']?\s*[:=]\s*["']?)([^"'\s,&}]+)/gi, (_, value) => notASecret(value)],
  // --token value / --api-key=value
  [/(--(?:[a-z-]*token|api-key|secret|password)(?:=|\s+))(\S+)/gi, (_, value) => notASecret(value)],
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
    for (const [pattern, keep] of PATTERNS) {
      out = out.replace(pattern, (whole, prefix: string, value: string) => (keep(prefix, value) ? whole : `${prefix}${MASK}`));
    }
    return out;
  }
}

export const defaultRedactor = new Redactor();

export function redact(text: string): string {
  return defaultRedactor.redact(text);
}
