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
  let leading = 0;
  while (leading < argv.length && ENV_ASSIGNMENT.test(argv[leading] as string)) leading += 1;
  const assignments = argv.slice(0, leading);
  if (assignments.length > 0) {
    const program = argv[assignments.length];
    throw usageError(
      `--${flag} starts with the environment assignment${assignments.length > 1 ? 's' : ''} ${assignments.join(' ')}: it is run without a shell, so ${assignments[0]} would be taken as the program to start${program ? ` instead of ${program}` : ''}`,
      `set ${assignments.length > 1 ? 'them' : 'it'} in the harness's environment (${assignments.join(' ')} npm run task -- …; the command inherits it), or start the command through env: --${flag} "env ${argv.join(' ')}"`,
      'BAD_COMMAND_TEMPLATE',
    );
  }
  return argv;
}

/** `NAME=value` before the program, as a shell reads it. */
const ENV_ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

/**
 * A server command must take the port the harness gives it: without `{port}` it listens somewhere
 * else and every probe goes to a port nobody serves (a long wait, then a timeout). Refused at once.
 */
export function requirePortPlaceholder(argv: readonly string[], flag: string, what: string): void {
  if (argv.some((word) => word.includes('{port}'))) return;
  throw usageError(`--${flag} has no {port} placeholder, so the harness cannot know where ${what} listens: it would wait on a port of its own that nobody serves`, `write ${what}'s port flag with {port} (e.g. --port {port}); the harness fills in a free port`, 'SERVER_CMD_NO_PORT');
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
