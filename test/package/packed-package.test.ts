import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoPath } from '../helpers/fixture-path.ts';

// hivecheck as a user gets it: `npm pack` (prepack builds the runner, the library and the schema),
// a fresh project, `npm install -D ./hivecheck-*.tgz --ignore-scripts`, node_modules made read-only,
// then the commands the README and docs/ci.md give, as shell commands. Asserts what they print,
// where files were written (under the project, never node_modules), the example library test
// (examples/worker.test.ts, vitest) and the GitHub recipe's shell steps, in order.
const work = mkdtempSync(join(tmpdir(), 'hivecheck-packed-'));
const project = join(work, 'project');
let tarball = '';

interface Shell {
  code: number;
  /** stdout and stderr */
  out: string;
  stdout: string;
}

/**
 * Every npm the commands start (the doc's `npm ci`, engine:install's own npm runs, npx) takes packages
 * from the local npm cache when it has them, as a CI job with a restored npm cache does
 * (actions/setup-node `cache: npm`): no registry round-trip per package, no audit, no funding call.
 */
const NPM_FROM_CACHE = { npm_config_prefer_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };

function sh(command: string, cwd: string, env: Record<string, string> = {}): Shell {
  const result = spawnSync('bash', ['-c', command], { cwd, env: { ...process.env, CI: 'true', NO_COLOR: '1', FORCE_COLOR: '0', INIT_CWD: '', npm_config_yes: 'true', ...NPM_FROM_CACHE, ...env }, encoding: 'utf8', maxBuffer: 64 << 20 });
  return { code: result.status ?? -1, out: `${result.stdout}${result.stderr}`, stdout: result.stdout };
}

/** The files the repository holds (tracked or new, not ignored), copied so packing never touches this checkout's dist/. */
function copyRepository(to: string): void {
  const listed = spawnSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: repoPath(''), encoding: 'utf8' }).stdout.split('\0').filter(Boolean);
  for (const file of listed) {
    try {
      if (!statSync(repoPath(file)).isFile()) continue;
    } catch {
      continue; // deleted in the working tree
    }
    mkdirSync(dirname(join(to, file)), { recursive: true });
    copyFileSync(repoPath(file), join(to, file));
  }
  symlinkSync(repoPath('node_modules'), join(to, 'node_modules'), 'dir');
}

/** Files under `dir` modified after `since` (ms). */
function newerThan(dir: string, since: number): string[] {
  const found: string[] = [];
  const walk = (at: string): void => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isSymbolicLink()) continue;
      if (entry.isDirectory()) walk(path);
      else if (statSync(path).mtimeMs >= since) found.push(path);
    }
  };
  walk(dir);
  return found;
}

beforeAll(() => {
  const source = join(work, 'source');
  copyRepository(source);
  const packed = sh(`npm pack --pack-destination ${JSON.stringify(work)} --json`, source, { HIVECHECK_SKIP_ENGINE: '1' });
  expect(packed.code, packed.out).toBe(0);
  const info = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('[\n'))) as { filename: string; size: number; unpackedSize: number; entryCount: number; files: { path: string }[] }[];
  const pack = info[0] as (typeof info)[number];
  console.log(`packed ${pack.filename}: ${(pack.size / 1024).toFixed(0)} kB, ${(pack.unpackedSize / 1024 / 1024).toFixed(1)} MB unpacked, ${pack.entryCount} files`);
  const paths = pack.files.map((file) => file.path);
  // Ships what runs: no tests, benches, chaos scripts, models or logs; one prebuilt runner.
  expect(paths.filter((path) => /^(test|bench|chaos|examples)\/|\.gguf$|\.log$|\.map$/.test(path))).toEqual([]);
  expect(new Set(paths.filter((path) => path.startsWith('dist/cli/b-')).map((path) => path.split('/')[2])).size).toBe(1);
  expect(paths).toContain('dist/lib/index.js');
  // No install-time script in the packed manifest: npm has nothing of hivecheck's to ask approval for.
  const manifest = spawnSync('tar', ['xzf', join(work, pack.filename), '-O', 'package/package.json'], { encoding: 'utf8' }).stdout;
  expect(Object.keys((JSON.parse(manifest) as { scripts: Record<string, string> }).scripts).filter((name) => /^(pre|post)?(install|prepare)$/.test(name))).toEqual([]);
  expect(paths).toContain('dist/types/tasks/lib/api/index.d.ts');
  tarball = join(work, pack.filename);
  rmSync(source, { recursive: true, force: true });

  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), `${JSON.stringify({ name: 'my-worker', private: true, type: 'module' }, null, 2)}\n`);
  const vitest = (JSON.parse(readFileSync(repoPath('node_modules/vitest/package.json'), 'utf8')) as { version: string }).version;
  const installed = sh(`npm install -D ${JSON.stringify(tarball)} vitest@${vitest} --ignore-scripts --prefer-offline --no-audit --no-fund`, project);
  expect(installed.code, installed.out).toBe(0);
}, 600_000);

afterAll(() => {
  sh('chmod -R u+w .', work);
  rmSync(work, { recursive: true, force: true });
});

describe('the packed package in a fresh project (npm install --ignore-scripts, read-only node_modules)', () => {
  it('help, engine:install, init and worker:test work; files go under .hivecheck, none into node_modules', () => {
    const started = Date.now();
    chmodSync(join(project, 'node_modules'), 0o555);
    sh('chmod -R a-w node_modules', project);
    const help = sh('npx hivecheck help', project);
    expect(help.code, help.out).toBe(0);
    expect(help.out).toContain('Usage: npx hivecheck <task> [flags]');
    const typo = sh('npx hivecheck worker:tset', project);
    expect(typo.code).toBe(2);
    expect(typo.out).toContain('(did you mean worker:test?)');
    const engine = sh('npx hivecheck engine:install', project);
    expect(engine.code, engine.out).toBe(0);
    expect(engine.out).toContain(`engine: installing into ${join(project, '.hivecheck', 'engine')}`);
    const init = sh('npx hivecheck init', project);
    expect(init.code, init.out).toBe(0);
    const run = sh('npx hivecheck worker:test --quiet', project);
    expect(run.code, run.out).toBe(0);
    expect(run.out).toContain('worker:test: 10 passed, 0 failed');
    expect(run.out).toContain(join(project, '.hivecheck', 'runs'));
    const preflight = sh('npx hivecheck preflight --quiet', project);
    expect(preflight.code, preflight.out).toBe(0);
    expect(newerThan(join(project, 'node_modules'), started)).toEqual([]);
    expect(readdirSync(join(project, '.hivecheck')).sort()).toEqual(['engine', 'models', 'registry', 'runs']);
  }, 600_000);

  it('the example library test (examples/worker.test.ts) passes with vitest against the package', () => {
    cpSync(repoPath('examples'), join(project, 'examples'), { recursive: true });
    const run = sh('npx vitest run examples/', project);
    expect(run.code, run.out).toBe(0);
    expect(run.out).toMatch(/Tests\s+3 passed/);
  }, 600_000);

  it("docs/ci.md's GitHub workflow: every shell step, in order, passes in the project", () => {
    const page = readFileSync(repoPath('docs/ci.md'), 'utf8');
    const yamlBlock = /## GitHub Actions[\s\S]*?```yaml\n([\s\S]*?)```/.exec(page)?.[1];
    expect(yamlBlock).toBeDefined();
    const workflow = parse(yamlBlock as string) as { jobs: Record<string, { steps: { run?: string }[] }> };
    const steps = Object.values(workflow.jobs).flatMap((job) => job.steps).flatMap((step) => (step.run ? [step.run] : []));
    expect(steps.length).toBeGreaterThanOrEqual(5);
    sh('chmod -R u+w node_modules', project);
    const output = join(work, 'github-output');
    for (const step of steps) {
      const run = sh(`set -eo pipefail\n${step}`, project, { GITHUB_OUTPUT: output });
      expect(run.code, `step failed:\n${step}\n${run.out}`).toBe(0);
    }
    for (const dir of ['worker-test', 'status-protocol', 'canary']) {
      for (const file of ['report.json', 'junit.xml', 'report.html']) expect(statSync(join(project, 'reports', dir, file)).size).toBeGreaterThan(0);
    }
  }, 600_000);
});
