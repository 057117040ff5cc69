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
  return secrets.filter((secret) => secret.length > 0);
}
