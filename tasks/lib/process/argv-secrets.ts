/**
 * Secret values a command line carries: the value after `--api-key`, `--token`, `--hf-token`,
 * `--password`, `--secret` (or `--flag=value`), and the value of an `Authorization: …` argument
 * (a header given as `-H "Authorization: Bearer …"`). Registered with a `Redactor`, they are
 * masked wherever the command or the process's output is printed.
 */
const SECRET_FLAG = /^--(?:api-key|api_key|apikey|[a-z-]*token|password|secret)$/i;
const SECRET_FLAG_WITH_VALUE = /^(--(?:api-key|api_key|apikey|[a-z-]*token|password|secret))=(.+)$/i;
const AUTHORIZATION = /^authorization\s*:\s*(?:(?:bearer|basic|token)\s+)?(.+)$/i;

export function secretsInArgv(argv: readonly string[]): string[] {
  const secrets: string[] = [];
  argv.forEach((word, i) => {
    const next = argv[i + 1];
    if (SECRET_FLAG.test(word) && next !== undefined && !next.startsWith('--')) secrets.push(next);
    const inline = word.match(SECRET_FLAG_WITH_VALUE);
    if (inline?.[2]) secrets.push(inline[2]);
    const header = word.match(AUTHORIZATION);
    if (header?.[1]) secrets.push(header[1].trim());
  });
  // A command template's placeholder (`--hive-token {hiveToken}`) names a secret; it is not one.
  return secrets.filter((secret) => secret.length > 0 && !PLACEHOLDER.test(secret));
}

/** `{apiKey}`, `{hiveToken}`: a command template's placeholder, filled in by the harness. */
const PLACEHOLDER = /^\{[A-Za-z]+\}$/;

/** `X-Api-Key: abc`, `Authorization: Bearer abc`: a header whose name says it carries a credential. */
const SECRET_HEADER = /^[A-Za-z0-9-]*(?:key|token|secret|auth)[A-Za-z0-9-]*\s*:\s*(?:(?:bearer|basic|token)\s+)?(\S.*)$/i;

/**
 * Secret values carried by parsed flag values: a secret header (`--header "X-Api-Key: abc"`), and
 * secret flags inside a whole command given as one value (`--worker-cmd "srv --api-key abc"`).
 */
export function secretsInFlagValues(values: readonly unknown[]): string[] {
  const words = values.flatMap((value) => (Array.isArray(value) ? value : [value])).filter((value): value is string => typeof value === 'string');
  const headers = words.map((word) => word.match(SECRET_HEADER)?.[1]?.trim()).filter((value): value is string => value !== undefined && value !== '');
  return [...headers, ...secretsInArgv(words.flatMap((word) => word.split(/\s+/)))];
}
