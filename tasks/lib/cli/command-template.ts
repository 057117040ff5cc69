import { parse } from 'shell-quote';
import { usageError } from '../errors/harness-error.ts';

/**
 * A user's command line (`--worker-cmd "./my-worker --port {port}"`) split into an argv array the
 * way a shell splits words, without ever running a shell: quotes group words, `$VAR` stays
 * literal, and operators (`|`, `&&`, `;`, redirections) are refused.
 */
export function parseCommandTemplate(source: string, flag: string): string[] {
  const words = parse(source, (name: string) => `$${name}`);
  const argv: string[] = [];
  for (const word of words) {
    if (typeof word === 'string') {
      argv.push(word);
      continue;
    }
    const what = 'op' in word ? (word.op === 'glob' ? `glob ${'pattern' in word ? word.pattern : ''}` : `'${word.op}'`) : 'a comment';
    throw usageError(`--${flag} is run without a shell, so ${what} cannot be used in it`, 'wrap the pipeline in a script and pass the script', 'BAD_COMMAND_TEMPLATE');
  }
  if (argv.length === 0) throw usageError(`--${flag} is empty`, undefined, 'BAD_COMMAND_TEMPLATE');
  return argv;
}

/** Refuses a placeholder that is not one of `known` (`{prot}` for `{port}`) before anything is started. */
export function checkPlaceholders(argv: readonly string[], known: readonly string[], flag: string): void {
  fillTemplate(argv, Object.fromEntries(known.map((name) => [name, ''])), flag);
}

/** Replaces `{name}` placeholders in every argv element; an unknown placeholder is a usage error. */
export function fillTemplate(argv: readonly string[], values: Readonly<Record<string, string | number>>, flag: string): string[] {
  return argv.map((word) =>
    word.replace(/\{([a-zA-Z][\w-]*)\}/g, (_, name: string) => {
      const value = values[name];
      if (value === undefined) throw usageError(`--${flag} uses {${name}}, which is not a known placeholder (known: ${Object.keys(values).map((key) => `{${key}}`).join(', ')})`, undefined, 'BAD_COMMAND_TEMPLATE');
      return String(value);
    }),
  );
}
