import { readdirSync, readFileSync } from 'node:fs';
import { parse } from 'shell-quote';
import { describe, expect, it } from 'vitest';
import { parseFlags, type FlagSpec } from '../../tasks/lib/cli/flag-spec.ts';
import { isHarnessError } from '../../tasks/lib/errors/harness-error.ts';
import { commonFlagsOf } from '../../tasks/runner/common-flags.ts';
import { loadTask } from '../../tasks/runner/task-definition.ts';
import { TASKS } from '../../tasks/task-table.ts';
import { repoPath } from '../helpers/fixture-path.ts';

// Every hivecheck command the README and docs/ show (`npm run task -- …`, `npx hivecheck …`, in
// code blocks and inline code) names a task that exists and flags that its flag table accepts, with
// values of the right kind. Placeholders (`<dir>`, `<n>`) are filled with a valid sample. A command
// shown on purpose as a mistake carries `# exit 2` (or `→ exit 2`) on its line and must be refused.
const PREFIX = /(?:npm run task --|npx hivecheck)\s/;

interface DocumentedCommand {
  file: string;
  line: number;
  text: string;
  expectRefused: boolean;
}

function documentedCommands(file: string): DocumentedCommand[] {
  const lines = readFileSync(repoPath(file), 'utf8').split('\n');
  const found: DocumentedCommand[] = [];
  let fenced = false;
  for (let i = 0; i < lines.length; i += 1) {
    let line = lines[i] as string;
    if (/^\s*```/.test(line)) {
      fenced = !fenced;
      continue;
    }
    const start = i;
    while (fenced && line.endsWith('\\') && i + 1 < lines.length) line = `${line.slice(0, -1)} ${(lines[(i += 1)] as string).trim()}`;
    const expectRefused = /(#|→)\s*exit 2\b/.test(line);
    const pieces = fenced ? [line] : [...line.matchAll(/`([^`]+)`/g)].map((match) => match[1] as string);
    for (const piece of pieces) {
      const at = piece.search(PREFIX);
      if (at < 0) continue;
      found.push({ file, line: start + 1, text: piece.slice(at).replace(/^\$ /, ''), expectRefused });
    }
  }
  return found;
}

const FILES = ['README.md', ...readdirSync(repoPath('docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];
const COMMANDS = FILES.flatMap(documentedCommands);

/** A valid value for a flag whose documented value is a placeholder. */
function sample(spec: FlagSpec): string {
  if (spec.choices) return spec.choices[0] as string;
  if (spec.type === 'number') return String(spec.min !== undefined && spec.min > 1 ? spec.min : 1);
  return 'placeholder';
}

const PLACEHOLDER = '__placeholder__';
const isPlaceholder = (word: string): boolean => word === PLACEHOLDER || word === '…' || word === '...';

/** The words after the prefix, up to a shell operator or comment. */
function words(text: string): string[] {
  const out: string[] = [];
  // `<dir>` would read as a redirection: placeholders become one word first.
  for (const word of parse(text.replace(PREFIX, '').replace(/<[^<>\s]+>…?/g, PLACEHOLDER), (name: string) => `$${name}`)) {
    if (typeof word !== 'string') break;
    out.push(word);
  }
  return out;
}

async function check(command: DocumentedCommand): Promise<string | undefined> {
  const [name, ...args] = words(command.text);
  if (name === undefined || isPlaceholder(name) || name === 'help' || name === '--help') return undefined;
  const row = TASKS.find((task) => task.name === name);
  if (!row) return `unknown task '${name}'`;
  const task = await loadTask(row);
  if (args.includes('--help') || args.includes('-h')) return undefined;
  const specs = [...task.flags, ...commonFlagsOf(task)];
  const end = task.passThrough ? args.indexOf('--') : -1;
  const own = end >= 0 ? args.slice(0, end) : args;
  const filled = own.flatMap((word, i, all) => {
    if (!isPlaceholder(word)) return [word];
    const flag = specs.find((spec) => `--${spec.name}` === all[i - 1] && spec.type !== 'boolean');
    return flag ? [sample(flag)] : [];
  });
  try {
    parseFlags(filled, specs, { allowPositionals: task.positionals !== undefined });
    return undefined;
  } catch (error) {
    if (!isHarnessError(error)) throw error;
    return error.message;
  }
}

describe('documented commands', () => {
  it('the README and docs show hivecheck commands (the check sees them)', () => {
    expect(COMMANDS.length).toBeGreaterThan(40);
    expect(COMMANDS.some((command) => command.file === 'README.md' && command.text.startsWith('npx hivecheck worker:test'))).toBe(true);
  });

  it('every documented command names a task that exists and flags its flag table accepts', async () => {
    const wrong: string[] = [];
    for (const command of COMMANDS) {
      const problem = await check(command);
      if (command.expectRefused && problem === undefined) wrong.push(`${command.file}:${command.line}: shown as refused (exit 2) but accepted: ${command.text}`);
      if (!command.expectRefused && problem !== undefined) wrong.push(`${command.file}:${command.line}: ${problem}: ${command.text}`);
    }
    expect(wrong).toEqual([]);
  });

  it('a wrong flag or value in a documented command is caught (the check can fail)', async () => {
    const doc = (text: string): DocumentedCommand => ({ file: 'x.md', line: 1, text, expectRefused: false });
    expect(await check(doc('npx hivecheck worker:test --worker-cmdd x'))).toContain("Unknown option '--worker-cmdd'");
    expect(await check(doc('npm run task -- worker:test --timeout soon'))).toContain('expects a number');
    expect(await check(doc('npm run task -- worker:tset'))).toBe("unknown task 'worker:tset'");
    expect(await check(doc('npx hivecheck worker:test --report <dir> --log-lines <n>'))).toBeUndefined();
  });
});
