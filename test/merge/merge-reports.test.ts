import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { $ } from 'zx';
import { beforeAll, describe, expect, test } from 'vitest';
import { readEnvelopes, scenarioOutcomes, type Envelope } from '../../tasks/lib/merge/cucumber-messages.ts';
import type { ReportJson } from '../../tasks/lib/report/run-report.ts';
import { repoPath } from '../helpers/fixture-path.ts';
import { runTaskCli } from '../helpers/run-task-cli.ts';

const readReport = (dir: string): ReportJson => JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as ReportJson;
const suiteNames = (xml: string): string[] => [...xml.matchAll(/<testsuite name="([^"]+)"/g)].map((match) => match[1] as string);

/**
 * Runs the project's Cucumber suite (its default profile) in dry-run mode: every scenario is planned
 * and reported, no step runs. `--parallel 0`: Cucumber picks a shard's scenarios before any are handed
 * to workers, and a dry run has nothing to run side by side, so one process loads the step
 * definitions instead of three (the profile's two workers and their coordinator): a third of the CPU.
 */
async function cucumberDryRun(dir: string, extra: string[] = []): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const args = ['--import', 'tsx', 'node_modules/@cucumber/cucumber/bin/cucumber.js', '--dry-run', '--parallel', '0', '--format', `message:${dir}/cucumber.ndjson`, '--format', `junit:${dir}/cucumber.junit.xml`, ...extra];
  const result = await $({ cwd: repoPath(''), nothrow: true, quiet: true })`${process.execPath} ${args}`;
  expect(result.exitCode, result.stderr).toBe(0);
}

const scenarioKeys = (envelopes: readonly Envelope[]): string[] => scenarioOutcomes(envelopes).map((outcome) => `${outcome.uri}:${outcome.line} ${outcome.name}`).sort();

describe('merge-reports of Cucumber shards (--shard i/n)', () => {
  const root = mkdtempSync(join(tmpdir(), 'shards-'));
  const shardDirs = [1, 2, 3].map((i) => join(root, `shard-${i}`));
  let whole: string[];
  let shards: string[][];

  beforeAll(async () => {
    // Independent runs into their own folders: side by side.
    await Promise.all([cucumberDryRun(join(root, 'unsharded')), ...shardDirs.map((dir, i) => cucumberDryRun(dir, ['--shard', `${i + 1}/3`]))]);
    whole = scenarioKeys(readEnvelopes(join(root, 'unsharded', 'cucumber.ndjson')));
    shards = shardDirs.map((dir) => scenarioKeys(readEnvelopes(join(dir, 'cucumber.ndjson'))));
  }, 120_000);

  test('every scenario runs in exactly one shard, and the same shard each time', async () => {
    expect(whole.length).toBeGreaterThan(20);
    for (const shard of shards) expect(shard.length).toBeGreaterThan(0);
    expect(shards.flat().sort()).toEqual(whole);
    expect(new Set(shards.flat()).size).toBe(whole.length);
    const again = join(root, 'shard-2-again');
    await cucumberDryRun(again, ['--shard', '2/3']);
    expect(scenarioKeys(readEnvelopes(join(again, 'cucumber.ndjson')))).toEqual(shards[1]);
  }, 60_000);

  test('merged: one report with a testsuite per shard, and one Cucumber run with the unsharded scenario set', async () => {
    const merged = join(root, 'merged');
    const run = await runTaskCli(['merge-reports', ...shardDirs, '--report', merged]);
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    const report = readReport(merged);
    expect(report.nodes?.map((node) => [node.node, node.task])).toEqual([
      ['shard-1', 'cucumber'],
      ['shard-2', 'cucumber'],
      ['shard-3', 'cucumber'],
    ]);
    const scenarioChecks = report.checks.filter((check) => check.name.includes('.feature › '));
    expect(scenarioChecks).toHaveLength(whole.length);
    expect(suiteNames(readFileSync(join(merged, 'junit.xml'), 'utf8'))).toEqual(['shard-1', 'shard-2', 'shard-3']);

    // Cucumber's own formats: one message stream that reads as a single run, one junit file.
    const envelopes = readEnvelopes(join(merged, 'cucumber.ndjson'));
    expect(scenarioKeys(envelopes)).toEqual(whole);
    const unsharded = readEnvelopes(join(root, 'unsharded', 'cucumber.ndjson'));
    const count = (list: readonly Envelope[], kind: string): number => list.filter((envelope) => envelope[kind]).length;
    for (const kind of ['source', 'gherkinDocument', 'pickle', 'stepDefinition', 'hook', 'testCase', 'testRunStarted', 'testRunFinished']) expect([kind, count(envelopes, kind)]).toEqual([kind, count(unsharded, kind)]);
    const pickles = new Set(envelopes.filter((envelope) => envelope.pickle).map((envelope) => envelope.pickle.id));
    const steps = new Set(envelopes.filter((envelope) => envelope.stepDefinition).map((envelope) => envelope.stepDefinition.id));
    for (const testCase of envelopes.filter((envelope) => envelope.testCase).map((envelope) => envelope.testCase)) {
      expect(pickles.has(testCase.pickleId)).toBe(true);
      for (const step of testCase.testSteps) for (const id of step.stepDefinitionIds ?? []) expect(steps.has(id)).toBe(true);
    }
    const junit = readFileSync(join(merged, 'cucumber.junit.xml'), 'utf8');
    expect(suiteNames(junit)).toEqual(['shard-1', 'shard-2', 'shard-3']);
    expect(junit).toMatch(new RegExp(`<testsuites name="cucumber" tests="${whole.length}"`));
    // Cucumber's own html page, made from the merged stream by Cucumber's html formatter.
    expect(readFileSync(join(merged, 'cucumber.html'), 'utf8')).toContain('"testRunFinished"');
  }, 60_000);
});

describe('merge-reports of hivecheck runs', () => {
  test('three runs, one failing: a testsuite and a lane group per run, the failing one named, its exit code kept', async () => {
    const root = mkdtempSync(join(tmpdir(), 'merge-'));
    const [a, b, c] = ['node-a', 'node-b', 'node-c'].map((name) => join(root, name)) as [string, string, string];
    expect((await runTaskCli(['preflight', '--quiet', '--report', a])).exitCode).toBe(0);
    expect((await runTaskCli(['preflight', '--quiet', '--report', b, '--model', join(root, 'missing.gguf')])).exitCode).toBe(3);
    expect((await runTaskCli(['preflight', '--quiet', '--report', c])).exitCode).toBe(0);
    const merged = join(root, 'merged');
    const run = await runTaskCli(['merge-reports', a, b, c, '--report', merged]);
    expect(run.exitCode, run.stdout).toBe(3);
    expect(run.stdout).toMatch(/❌ node-b: \[MODEL_NOT_FOUND\] preflight on node-b: 5 passed, 1 failed .*exit 3/);
    const report = readReport(merged);
    const sub = readReport(a);
    expect(report.checks.filter((check) => check.node === 'node-a' && check.name !== 'node-a').map((check) => check.name)).toEqual(sub.checks.map((check) => `node-a › ${check.name}`));
    expect(report.nodes?.map((node) => [node.node, node.verdict, node.exitCode])).toEqual([
      ['node-a', 'pass', 0],
      ['node-b', 'fail', 3],
      ['node-c', 'pass', 0],
    ]);
    expect(suiteNames(readFileSync(join(merged, 'junit.xml'), 'utf8'))).toEqual(['merge-reports', 'node-a', 'node-b', 'node-c']);
    const html = readFileSync(join(merged, 'report.html'), 'utf8');
    const lanes = [...html.matchAll(/data-node="([^"]+)"/g)].map((match) => match[1]);
    expect(lanes.filter((node, i) => node !== lanes[i - 1])).toEqual(['node-a', 'node-b', 'node-c']);
    expect(html).toContain('<section id="nodes">');
  }, 120_000);

  test('a folder that is not there is a usage error naming it', async () => {
    const run = await runTaskCli(['merge-reports', '/nonexistent/shard-9']);
    expect(run.exitCode).toBe(2);
    expect(run.stdout + run.stderr).toContain('[REPORT_DIR_NOT_FOUND] no report folder at /nonexistent/shard-9');
  });
});
