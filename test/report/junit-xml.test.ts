import { describe, expect, it } from 'vitest';
import { toJunitXml } from '../../tasks/lib/report/junit-xml.ts';
import { RunReport } from '../../tasks/lib/report/run-report.ts';
import { HarnessError } from '../../tasks/lib/errors/harness-error.ts';

describe('RunReport and junit.xml', () => {
  it('turns thrown errors into failed checks with evidence, and escapes XML', async () => {
    const report = new RunReport('worker:test');
    expect(await report.check('health <json>', async () => 'status "healthy" & loaded')).toBe(true);
    expect(
      await report.check('inference', async () => {
        throw new HarnessError('INFERENCE_EMPTY', 'no tokens came back', { evidence: { body: '{"text":""}' } });
      }),
    ).toBe(false);
    report.skip('heartbeats', 'profile has no heartbeats');
    const json = report.toJSON();
    expect(json.summary).toEqual({ passed: 1, failed: 1, skipped: 1, interrupted: 0 });
    expect(json.exitCode).toBe(1);
    const xml = toJunitXml(json);
    expect(xml).toContain('name="health &lt;json&gt;"');
    expect(xml).toContain('<failure type="INFERENCE_EMPTY" message="no tokens came back">');
    expect(xml).toContain('&quot;body&quot;: &quot;{\\&quot;text\\&quot;:\\&quot;\\&quot;}&quot;');
    expect(xml).toContain('<skipped message="profile has no heartbeats"/>');
    expect(xml).toMatch(/<testsuite name="worker:test" tests="3" failures="1" errors="0" skipped="1"/);
  });

  it('a run with no checks is not a pass', () => {
    expect(new RunReport('x').exitCode).toBe(1);
  });
});
