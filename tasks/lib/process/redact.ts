/**
 * Removes secrets from text before it reaches a log file, a terminal or a report, in two ways:
 *
 * - **Values the harness knows**: every literal registered (the `--api-key`/`--token` value, from
 *   the command line, a file or the environment; header values it sends; values of secret-named
 *   environment variables such as `HF_TOKEN`). Masked wherever they appear (`redactKnown` does only this).
 * - **Credential shapes** (in what a subject prints): values of `Authorization` headers, bearer
 *   tokens, `token=`/`api_key=` style assignments, `--token` flags.
 *
 * A shape masks a value only when it can be a credential: a placeholder (`<key>`, `{apiKey}`), a
 * bare scheme name (`Bearer`), another flag, a plain word ("token: pass --token") or a small
 * number is left as written, so the harness's own help texts and fix hints read intact.
 */
const MASK = '[REDACTED]';

/** An HTTP credential: `Bearer abc`, `Basic dXNl…`, or a bare token (RFC 7235 token68, plus `:`). */
const CREDENTIAL = String.raw`(?:[A-Za-z]+\s+)?[A-Za-z0-9._~+/=:-]+`;
const AUTH_SCHEMES = /^(?:bearer|basic|digest|negotiate|token)$/i;
/** Words that follow a secret's name in prose ("pass --api-key or --header …"), never a secret. */
const PROSE = /^(?:or|and|to|with|as|is|the|a|an|if|when|not|flag|value|option|header|token|tokens|key)$/i;

/** True when a value written after a secret's name is not a secret: a placeholder, a flag, punctuation, prose. */
function notASecret(value: string): boolean {
  return /^[<{([-]/.test(value) || !/[A-Za-z0-9]/.test(value) || PROSE.test(value) || value === MASK || plainWord(value);
}

/**
 * A word of prose or a small number, not a credential: letters only with at most a capital first
 * ("pass", "Required"), or up to 5 digits. A credential has digits, symbols or mixed case
 * (`hf_abc`, `s3cr3t`, `dXNlcjpw`), or is a long run of letters (≥ 24).
 */
function plainWord(value: string): boolean {
  const word = value.replace(/[.,;:!?)]+$/, '');
  return (/^[A-Za-z][a-z]*$/.test(word) && word.length < 24) || /^\d{1,5}$/.test(word);
}

const PATTERNS: ReadonlyArray<[RegExp, (prefix: string, value: string) => boolean]> = [
  // Authorization: Bearer abc / "authorization": "Basic xyz"
  [new RegExp(String.raw`(["']?authorization["']?\s*[:=]\s*["']?)(${CREDENTIAL})`, 'gi'), (_, value) => AUTH_SCHEMES.test(value) || plainWord(value)],
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

  /** Masks only the values the harness knows (registered literals): for the harness's own messages. */
  redactKnown(text: string): string {
    let out = text;
    for (const literal of this.#literals) out = out.split(literal).join(MASK);
    return out;
  }

  /** A copy of a JSON-like value (a report) with the values the harness knows masked in every string. */
  redactKnownDeep<T>(value: T): T {
    if (this.#literals.length === 0) return value;
    const walk = (item: unknown): unknown => {
      if (typeof item === 'string') return this.redactKnown(item);
      if (Array.isArray(item)) return item.map(walk);
      if (item !== null && typeof item === 'object') return Object.fromEntries(Object.entries(item).map(([key, inner]) => [key, walk(inner)]));
      return item;
    };
    return walk(value) as T;
  }

  /** Masks the values the harness knows and credential shapes: for anything a subject printed or sent. */
  redact(text: string): string {
    let out = this.redactKnown(text);
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
