import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cliCommand, isInstalledPackage } from '../lib/cli/invocation.ts';
import { HarnessError } from '../lib/errors/harness-error.ts';
import type { TaskDefinition } from '../runner/task-definition.ts';

const FEATURES_DIR = fileURLToPath(new URL('../../features/', import.meta.url));
const CUCUMBER_CONFIG = join(FEATURES_DIR, 'hivecheck-features.cucumber.mjs');

/** cucumber-js's entry: from the user's project first (the version they installed), else beside hivecheck. */
export function findCucumber(cwd: string): string | undefined {
  const lookups = [...(createRequire(join(cwd, 'package.json')).resolve.paths('@cucumber/cucumber') ?? []), ...(createRequire(import.meta.url).resolve.paths('@cucumber/cucumber') ?? [])];
  for (const dir of lookups) {
    const bin = join(dir, '@cucumber', 'cucumber', 'bin', 'cucumber.js');
    if (existsSync(bin)) return bin;
  }
  return undefined;
}

/** The Cucumber scenarios, against the commands in the config file (or the built-in fixtures). */
export const featuresTask: TaskDefinition = {
  name: 'features',
  summary: 'run the Cucumber release scenarios against the commands in your config (or the built-in fixtures); html, junit and message reports',
  description: [
    'Runs the shipped Cucumber scenarios (default: the @release ones: worker:test, the policy status stream,',
    'the training stream, e2e, canary:check) with cucumber-js. Each scenario runs its task with the settings',
    'of your config file (--config, or hivecheck.config.* found from here upward): your worker, hive, keeper,',
    'policy server and canary commands. Your own .feature files (--features) can reuse the shipped steps.',
    'Reports: cucumber.html, cucumber.junit.xml and cucumber.ndjson beside report.json in --report <dir>;',
    'a failed scenario carries the log tails of every process it started. Words after `--` go to cucumber-js',
    '(--shard 1/2, --name <regex>, --retry 1, --parallel 2, …). Needs @cucumber/cucumber installed in your',
    'project (npm install -D @cucumber/cucumber).',
  ].join('\n'),
  flags: [
    { name: 'tags', type: 'string', default: '@release', valueName: 'expression', description: "which scenarios: a Cucumber tag expression ('@release and not @slow', 'not @gpu')" },
    { name: 'features', type: 'strings', valueName: 'path|glob', description: 'also run these .feature files of your own (relative to here)' },
    { name: 'timeout', type: 'number', min: 1, default: 3600, valueName: 's', description: 'stop the whole suite after this long' },
  ],
  passThrough: 'cucumber-js options',
  examples: [
    'npm run task -- features',
    'npm run task -- features --config release.json --report out/features',
    "npm run task -- features --tags '@release and not @slow' --features 'acceptance/*.feature'",
    'npm run task -- features -- --shard 1/2',
  ],
  async run(context, flags) {
    const cucumber = findCucumber(context.cwd);
    if (!cucumber) {
      throw new HarnessError('CUCUMBER_MISSING', 'cucumber-js (@cucumber/cucumber) is not installed', { kind: 'environment', hint: isInstalledPackage() ? 'run: npm install -D @cucumber/cucumber' : 'run: npm ci' });
    }
    const reportFlag = flags.optionalString('report');
    const reportDir = reportFlag ? resolve(context.cwd, reportFlag) : context.runDir;
    const config = flags.optionalString('config');
    // cucumber-js takes paths relative to its working directory (the user's).
    const paths = [join(relative(context.cwd, FEATURES_DIR), '*.feature'), ...flags.list('features')];
    const args = [
      '--import',
      import.meta.resolve('tsx'),
      cucumber,
      '--config',
      relative(context.cwd, CUCUMBER_CONFIG),
      ...paths,
      '--tags',
      flags.string('tags'),
      '--format',
      'progress',
      '--format',
      `html:${join(reportDir, 'cucumber.html')}`,
      '--format',
      `junit:${join(reportDir, 'cucumber.junit.xml')}`,
      '--format',
      `message:${join(reportDir, 'cucumber.ndjson')}`,
      ...flags.rest,
    ];
    await context.report.check('cucumber scenarios', async () => {
      const guard = await context.start({
        name: 'cucumber',
        command: process.execPath,
        args,
        cwd: context.cwd,
        env: { CI: 'true', ...(config ? { HIVECHECK_CONFIG: resolve(context.cwd, config) } : {}) },
        onLine: (line) => context.out.info(line),
      });
      const timeoutMs = flags.number('timeout') * 1000;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((done) => (timer = setTimeout(() => done('timeout'), timeoutMs)));
      const exit = await Promise.race([guard.settled, timedOut]).finally(() => clearTimeout(timer));
      const summary = guard.tail(200).filter((line) => /^\d+ (scenarios?|steps?) \(/.test(line));
      if (exit === 'timeout') throw new HarnessError('FEATURES_TIMEOUT', `the scenarios did not finish within ${flags.number('timeout')} s`, { evidence: { logTail: guard.tail(30), process: 'cucumber', waitedMs: timeoutMs }, hint: 'pass a longer --timeout, or fewer scenarios (--tags)' });
      if (exit.code !== 0) {
        throw new HarnessError('SCENARIOS_FAILED', `cucumber-js exited ${exit.signal ?? exit.code}: ${summary.join('; ') || 'see its output'}`, { evidence: { logTail: guard.tail(40), process: 'cucumber', reports: reportDir }, hint: `open ${join(reportDir, 'cucumber.html')}: a failed scenario has the log tails of its processes attached` });
      }
      return `${summary.join('; ') || 'passed'}; reports: ${join(reportDir, 'cucumber.html')}, cucumber.junit.xml, cucumber.ndjson (${cliCommand('features --help')} for options)`;
    });
  },
};
