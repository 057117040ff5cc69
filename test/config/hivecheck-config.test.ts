import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findConfigFile } from '../../tasks/lib/config/config-file.ts';
import { runCli } from '../../tasks/runner/run-cli.ts';
import { TASKS } from '../../tasks/task-table.ts';
import { renderConfigSchema, SCHEMA_FILE } from '../../tasks/lib/config/write-config-schema.ts';

// Config files as a user writes them, through the runner's real entry (runCli): settings become the
// flags' values, flags override them, and every mistake is exit 2 naming the file and the key path.
const root = mkdtempSync(join(tmpdir(), 'hivecheck-config-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
function project(files: Record<string, string>): string {
  const dir = join(root, `p${(n += 1)}`);
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

async function run(args: readonly string[], cwd: string): Promise<{ exitCode: number; output: string }> {
  let output = '';
  const sink = { write: (text: string) => (output += text), isTTY: false };
  const env: NodeJS.ProcessEnv = { ...process.env, CI: 'true' };
  delete env.HIVECHECK_HOME;
  const exitCode = await runCli(args, TASKS, { stdout: sink, stderr: sink, env, cwd });
  return { exitCode, output };
}

// A worker that is not there: the run stops at preflight (exit 3) after the settings were applied,
// and report.json records the flags it ran with.
const MISSING_BIN = '/nonexistent/llm-worker';

describe('hivecheck.config.*: settings are flags, flags override them', () => {
  it('a JSON config found from a subfolder gives worker:test its worker command; report.json shows it', async () => {
    const dir = project({ 'hivecheck.config.json': JSON.stringify({ 'worker:test': { 'worker-bin': MISSING_BIN, timeout: 7 } }), 'sub/x': '' });
    const result = await run(['worker:test', '--report', 'out'], join(dir, 'sub'));
    expect(result.exitCode, result.output).toBe(3);
    expect(result.output).toContain(MISSING_BIN);
    expect(readFileSync(join(dir, 'sub', 'out', 'report.json'), 'utf8')).toContain(MISSING_BIN);
  });

  it('a flag on the command line overrides the file', async () => {
    const dir = project({ 'hivecheck.config.json': JSON.stringify({ 'worker:test': { 'worker-bin': MISSING_BIN } }) });
    const result = await run(['worker:test', '--worker-bin', '/elsewhere/other-worker', '--report', 'out'], dir);
    expect(result.exitCode, result.output).toBe(3);
    expect(result.output).toContain('/elsewhere/other-worker');
    expect(result.output).not.toContain(MISSING_BIN);
  });

  it('an .mjs config (default export) and a .ts config both load; --config picks one', async () => {
    const dir = project({
      'a.mjs': `// comment\nexport default { 'worker:test': { 'worker-bin': '${MISSING_BIN}-mjs' } };\n`,
      'b.ts': `const settings: Record<string, unknown> = { 'worker:test': { 'worker-bin': '${MISSING_BIN}-ts' } };\nexport default settings;\n`,
    });
    expect((await run(['worker:test', '--config', 'a.mjs', '--report', 'o1'], dir)).output).toContain(`${MISSING_BIN}-mjs`);
    expect((await run(['worker:test', '--config', 'b.ts', '--report', 'o2'], dir)).output).toContain(`${MISSING_BIN}-ts`);
  });

  it('defaults apply to every task; state-dir there moves the run folder', async () => {
    const dir = project({ 'hivecheck.config.json': JSON.stringify({ defaults: { 'state-dir': 'state' }, 'worker:test': { 'worker-bin': MISSING_BIN } }) });
    const saved = process.env.HIVECHECK_HOME;
    try {
      const result = await run(['worker:test'], dir);
      expect(result.output).toContain(join(dir, 'state', 'runs'));
    } finally {
      if (saved === undefined) delete process.env.HIVECHECK_HOME;
      else process.env.HIVECHECK_HOME = saved;
    }
  });

  it('finds the nearest file upward and none at all outside a project', () => {
    const dir = project({ 'hivecheck.config.mjs': 'export default {}', 'a/b/c': '' });
    expect(findConfigFile(join(dir, 'a', 'b'))).toBe(join(dir, 'hivecheck.config.mjs'));
  });
});

describe('config mistakes: exit 2, naming the file and the key path', () => {
  it.each([
    ['unknown key in a task', { 'worker:test': { 'worker-cmdd': 'x' } }, 'hivecheck.config.json: worker:test.worker-cmdd: unknown key: worker:test has no such setting (did you mean "worker-cmd"?)'],
    ['unknown task', { 'worker-test': {} }, 'hivecheck.config.json: worker-test: unknown key: not a task (did you mean "worker:test"?)'],
    ['wrong type', { 'worker:test': { timeout: '30' } }, 'hivecheck.config.json: worker:test.timeout: expected a number, got string "30"'],
    ['out of range', { 'worker:test': { port: 70000 } }, 'hivecheck.config.json: worker:test.port: must be at most 65535, got 70000'],
    ['not a choice', { 'worker:test': { stream: 'xml' } }, 'hivecheck.config.json: worker:test.stream: must be one of both, json, sse'],
    ['boolean as a string', { 'canary:check': { aa: 'yes' } }, 'hivecheck.config.json: canary:check.aa: expected true or false, got string "yes"'],
    ['a section that is not an object', { 'worker:test': ['x'] }, 'hivecheck.config.json: worker:test: expected an object'],
    ['unknown key in defaults', { defaults: { reprot: 'out' } }, 'hivecheck.config.json: defaults.reprot: unknown key: every task has no such setting (did you mean "report"?)'],
  ])('%s', async (_, content, message) => {
    const dir = project({ 'hivecheck.config.json': JSON.stringify(content) });
    const result = await run(['worker:test'], dir);
    expect(result.exitCode, result.output).toBe(2);
    expect(result.output).toContain('[CONFIG_INVALID]');
    expect(result.output).toContain(message);
  });

  it('a mistake in another task\'s section is found on any run', async () => {
    const dir = project({ 'hivecheck.config.json': JSON.stringify({ 'canary:check': { basline: 'x' } }) });
    const result = await run(['worker:test'], dir);
    expect(result.exitCode).toBe(2);
    expect(result.output).toContain('canary:check.basline: unknown key');
  });

  it('a missing --config file, bad JSON and a module that throws are exit 2 naming the file', async () => {
    const dir = project({ 'broken.json': '{"worker:test": {', 'throws.mjs': 'throw new Error("boom");' });
    const missing = await run(['worker:test', '--config', 'nope.json'], dir);
    expect(missing.exitCode).toBe(2);
    expect(missing.output).toContain(`[CONFIG_NOT_FOUND] config file ${join(dir, 'nope.json')} does not exist`);
    const bad = await run(['worker:test', '--config', 'broken.json'], dir);
    expect(bad.exitCode).toBe(2);
    expect(bad.output).toContain(`[CONFIG_UNREADABLE] ${join(dir, 'broken.json')} is not valid JSON`);
    const throws = await run(['worker:test', '--config', 'throws.mjs'], dir);
    expect(throws.exitCode).toBe(2);
    expect(throws.output).toContain(`[CONFIG_UNREADABLE] cannot load config file ${join(dir, 'throws.mjs')}: boom`);
  });
});

describe('init and the JSON Schema', () => {
  it('init writes a commented starter that loads as it is, and refuses to overwrite it', async () => {
    const dir = project({});
    expect((await run(['init'], dir)).exitCode).toBe(0);
    const text = readFileSync(join(dir, 'hivecheck.config.mjs'), 'utf8');
    expect(text).toMatch(/^\/\/ hivecheck settings/);
    const again = await run(['init'], dir);
    expect(again.exitCode).toBe(2);
    expect(again.output).toContain('[CONFIG_EXISTS]');
    // The starter itself is a valid config: a run reads it (the worker command is still the built-in one).
    expect((await run(['worker:test', '--worker-bin', MISSING_BIN, '--report', 'o'], dir)).exitCode).toBe(3);
  });

  it('init --format json writes a file pointing at the shipped schema, and it loads', async () => {
    const dir = project({});
    expect((await run(['init', '--format', 'json'], dir)).exitCode).toBe(0);
    const json = JSON.parse(readFileSync(join(dir, 'hivecheck.config.json'), 'utf8')) as { $schema: string };
    expect(json.$schema).toBe('./node_modules/hivecheck/hivecheck.config.schema.json');
    expect((await run(['worker:test', '--worker-bin', MISSING_BIN, '--report', 'o'], dir)).exitCode).toBe(3);
  });

  it('hivecheck.config.schema.json is current with the flag tables (npm run schema writes it)', async () => {
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(await renderConfigSchema());
  });
});
