import { describe, expect, it } from 'vitest';
import { HarnessError } from '../../tasks/lib/errors/harness-error.ts';
import { toJunitXml } from '../../tasks/lib/report/junit-xml.ts';
import { RunReport } from '../../tasks/lib/report/run-report.ts';
import { renderSummary } from '../../tasks/lib/report/summary.ts';

describe('a report of an interrupted run', () => {
  it('records a check still running when the report is written as interrupted, and ignores its late end', async () => {
    const report = new RunReport('demo:test');
    let finish: () => void = () => undefined;
    const running = report.check('waits for the worker', () => new Promise<string>((resolve) => (finish = () => resolve('late'))));
    report.interruptedBy = 'SIGINT';
    report.interruptRunning('SIGINT');
    finish();
    expect(await running).toBe(false);
    expect(report.checks).toHaveLength(1);
    expect(report.checks[0]).toMatchObject({ name: 'waits for the worker', verdict: 'interrupted' });
    expect(report.checks[0]?.detail).toMatch(/^cut short by SIGINT after .+, before it could decide$/);
    const json = report.toJSON();
    expect(json.verdict).toBe('interrupted');
    expect(json.exitCode).toBe(130);
    expect(json.summary).toEqual({ passed: 0, failed: 0, skipped: 0, interrupted: 1 });
  });

  it('does not blame the subject for what the teardown caused: a failure after the interrupt is "interrupted", with what it saw', async () => {
    const report = new RunReport('demo:test');
    await report.check('passed before', async () => 'fine');
    const failing = report.check('crash during load', async () => {
      report.interruptedBy = 'SIGTERM';
      throw new HarnessError('SERVER_CRASHED', 'the connection closed 1006: the server crashed during loading');
    });
    expect(await failing).toBe(false);
    const check = report.checks[1];
    expect(check?.verdict).toBe('interrupted');
    expect(check?.evidence).toEqual({ sawWhenInterrupted: { code: 'SERVER_CRASHED', message: 'the connection closed 1006: the server crashed during loading' } });
    expect(report.toJSON().exitCode).toBe(143);
  });

  it('starts no new check, records no skip and no run error once interrupted', async () => {
    const report = new RunReport('demo:test');
    report.interruptedBy = 'SIGINT';
    let ran = false;
    expect(await report.check('after the interrupt', async () => void (ran = true))).toBe(false);
    report.skip('ready', 'the worker never became healthy');
    report.fail(new HarnessError('CONNECT_FAILED', 'nothing listens', { kind: 'environment' }));
    expect(ran).toBe(false);
    expect(report.checks).toEqual([]);
    expect(report.error).toBeUndefined();
  });

  it('lists the same checks on screen, in report.json and in junit.xml', async () => {
    const report = new RunReport('demo:test');
    await report.check('health', async () => 'HTTP 200');
    void report.check('inference', () => new Promise<string>(() => undefined));
    report.interruptedBy = 'SIGINT';
    report.interruptRunning('SIGINT');
    const json = report.toJSON();
    const junit = toJunitXml(json);
    const summary = renderSummary(json);
    expect(json.checks.map((check) => `${check.name}=${check.verdict}`)).toEqual(['health=pass', 'inference=interrupted']);
    expect([...junit.matchAll(/<testcase [^>]*name="([^"]+)"/g)].map((match) => match[1])).toEqual(['health', 'inference']);
    expect(junit).toMatch(/<skipped message="interrupted: cut short by SIGINT/);
    expect(junit).toContain('skipped="1"');
    expect(summary).toContain('✅ health: HTTP 200');
    expect(summary).toMatch(/⛔ inference: cut short by SIGINT/);
    expect(summary).toContain('1 passed, 0 failed, 1 interrupted');
    expect(summary).toContain('⛔ demo:test interrupted (exit 130)');
  });

  it('keeps the checks on the run timeline as spans with their verdicts', async () => {
    const report = new RunReport('demo:test');
    await report.check('health', async () => 'ok');
    await report.check('ready', async () => {
      throw new HarnessError('WAIT_TIMEOUT', 'timed out');
    });
    const spans = report.toJSON().timeline.events.filter((event) => event.lane === 'checks');
    expect(spans.map((span) => [span.label, span.status, span.detail?.verdict])).toEqual([
      ['health', 'ok', 'pass'],
      ['ready', 'error', 'fail'],
    ]);
    for (const span of spans) expect(span.endMs).toBeGreaterThanOrEqual(span.atMs);
  });
});
