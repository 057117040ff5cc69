import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { inShard, parseShard } from '../../tasks/lib/cli/shard.ts';
import { ALL_STEPS } from '../../tasks/all/all-steps.ts';
import type { ReportJson } from '../../tasks/lib/report/run-report.ts';
import { runTaskCli } from '../helpers/run-task-cli.ts';

describe('all --shard i/n', () => {
  test('every task but the gate is in exactly one shard, the same one each time', () => {
    const tasks = ALL_STEPS.filter((step) => !step.gate).map((step) => step.task);
    for (const total of [1, 2, 3, 7]) {
      const shards = Array.from({ length: total }, (_, i) => inShard(tasks, { index: i + 1, total }));
      expect(shards.flat().sort()).toEqual([...tasks].sort());
      expect(Array.from({ length: total }, (_, i) => inShard(tasks, { index: i + 1, total }))).toEqual(shards);
    }
  });

  test('a shard runs the gate and its own tasks only, and reports nothing of the others', async () => {
    const out = mkdtempSync(join(tmpdir(), 'all-shard-'));
    // Shard 2 of 3 holds status-protocol:test alone (after preflight); leave it out to keep this quick.
    expect(inShard(ALL_STEPS.filter((step) => !step.gate).map((step) => step.task), { index: 2, total: 3 })).toEqual(['status-protocol:test']);
    const run = await runTaskCli(['all', '--shard', '2/3', '--skip', 'status-protocol:test', '--report', out]);
    expect(run.exitCode, run.stdout).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as ReportJson;
    expect(report.settings.shard).toBe('2/3');
    const tasks = report.checks.filter((check) => !check.name.includes(' › ')).map((check) => [check.name, check.verdict]);
    expect(tasks).toEqual([['preflight', 'pass'], ['status-protocol:test', 'skip']]);
  }, 120_000);

  test('a malformed shard is a usage error', async () => {
    expect(() => parseShard('4/3')).toThrow(/--shard must be <index>\/<total>/);
    const run = await runTaskCli(['all', '--shard', '0/3']);
    expect(run.exitCode).toBe(2);
    expect(run.stdout + run.stderr).toContain('[BAD_SHARD]');
  });
});
