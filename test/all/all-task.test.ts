import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_STEPS } from '../../tasks/all/all-steps.ts';
import { runTask, verdicts } from '../helpers/run-task-in-process.ts';

describe('all task', () => {
  it('runs the listed tasks in turn into one summary, report and junit (here: preflight and e2e)', async () => {
    const skip = ALL_STEPS.map((step) => step.task).filter((task) => task !== 'preflight' && task !== 'e2e');
    const run = await runTask(['all', '--skip', skip.join(',')]);
    expect(run.exitCode, run.output).toBe(0);
    const names = Object.keys(verdicts(run.report));
    expect(names).toContain('preflight › model file');
    expect(names).toContain('e2e › Phase 8: inference');
    expect(verdicts(run.report)).toMatchObject({ preflight: 'pass', e2e: 'pass', ...Object.fromEntries(skip.map((task) => [task, 'skip'])) });
    const junit = readFileSync(join(run.reportDir, 'junit.xml'), 'utf8');
    expect(junit).toContain('e2e › Phase 7: worker ready');
    expect(run.output).toMatch(/📊 all: \d+ passed, 0 failed/);
    expect(run.report.settings.workerIds).toHaveLength(1); // the e2e worker, for leak checks
  }, 180_000);
});
