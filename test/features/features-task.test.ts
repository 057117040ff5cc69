import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { programCommand } from '../helpers/program-command.ts';
import { runTaskCli } from '../helpers/run-task-cli.ts';

// `features` runs the shipped release scenarios with cucumber-js against the commands of a config
// file: here a worker given by its own command line (the reference worker started the way a user's
// worker would be, told to crash at start), so the scenario fails and its attachments show why.
const dir = mkdtempSync(join(tmpdir(), 'hivecheck-features-task-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const workerCmd = (extra: string): string =>
  `${programCommand('reference-worker')} --worker-id {workerId} --model {model} --port {port} --hive-url {hiveUrl} --heartbeat-interval {heartbeatInterval} --threads 1 --local-mode ${extra}`;

describe('features: the release scenarios against a config', () => {
  it('a worker from the config that crashes fails its scenario; html, junit and message reports carry its log', async () => {
    const config = join(dir, 'release.json');
    writeFileSync(config, JSON.stringify({ 'worker:test': { 'worker-cmd': workerCmd('--fault=crash-at-start') } }));
    const out = join(dir, 'out');
    // `-- --name …` goes to cucumber-js: only the worker scenario runs.
    const run = await runTaskCli(['features', '--config', config, '--report', out, '--', '--name', 'isolation test']);
    expect(run.exitCode, run.stdout + run.stderr).toBe(1);
    expect(run.stdout).toContain('1 scenario (1 failed)');
    const junit = readFileSync(join(out, 'cucumber.junit.xml'), 'utf8');
    expect(junit).toContain('The worker passes its isolation test');
    expect(junit).toMatch(/<failure/);
    const messages = readFileSync(join(out, 'cucumber.ndjson'), 'utf8');
    expect(messages).toContain('fault injected (crash-at-start)');
    expect(readFileSync(join(out, 'cucumber.html'), 'utf8').length).toBeGreaterThan(1000);
    expect(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')).checks[0].code).toBe('SCENARIOS_FAILED');
  }, 180_000);

  it('the same scenario passes with the worker command fixed', async () => {
    const config = join(dir, 'fixed.json');
    writeFileSync(config, JSON.stringify({ 'worker:test': { 'worker-cmd': workerCmd('') } }));
    const run = await runTaskCli(['features', '--config', config, '--report', join(dir, 'out2'), '--', '--name', 'isolation test']);
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain('1 scenario (1 passed)');
  }, 180_000);
});
