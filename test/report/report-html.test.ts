import { describe, expect, it } from 'vitest';
import { renderReportHtml } from '../../tasks/lib/report/html/report-html.ts';
import type { ReportJson } from '../../tasks/lib/report/run-report.ts';
import { Timeline } from '../../tasks/lib/report/timeline.ts';

function report(overrides: Partial<ReportJson> = {}): ReportJson {
  return {
    tool: 'hivecheck',
    task: 'demo:test',
    verdict: 'pass',
    exitCode: 0,
    interrupted: false,
    startedAt: '2026-11-25T09:00:00.000Z',
    durationMs: 1000,
    summary: { passed: 0, failed: 0, skipped: 0, interrupted: 0 },
    settings: {},
    checks: [],
    logs: [],
    timeline: { events: [], dropped: 0 },
    ...overrides,
  };
}

describe('renderReportHtml', () => {
  it('is small when there is little to show: the page itself (CSS, JS, markup) stays under 16 KB', () => {
    expect(Buffer.byteLength(renderReportHtml(report()))).toBeLessThan(16 * 1024);
  });

  it('needs nothing from the network: no external URL, a CSP that forbids fetching', () => {
    const html = renderReportHtml(report());
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(html).toContain("default-src 'none'");
  });

  it('escapes what processes printed and what servers sent: no markup or script gets through', () => {
    const evil = '</script><script>alert(1)</script><img src=x onerror=alert(2)>';
    const timeline = new Timeline(0);
    timeline.record({ lane: 'ws:x', kind: 'frame', label: evil, status: 'error', atMs: 5, detail: { summary: evil } });
    const html = renderReportHtml(
      report({
        verdict: 'fail',
        exitCode: 1,
        summary: { passed: 0, failed: 1, skipped: 0, interrupted: 0 },
        checks: [{ name: evil, verdict: 'fail', durationMs: 3, detail: evil, code: 'X', evidence: { process: 'w', logTail: [evil] } }],
        logs: [{ name: 'w', path: undefined, tail: [evil], times: [4] }],
        timeline: timeline.toJSON(),
        settings: { note: evil },
      }),
    );
    expect(html.match(/<script/g)).toHaveLength(2); // the data block and the viewer
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;/script&gt;&lt;script&gt;alert(1)');
  });

  it('keeps a long poll small: 3000 probe attempts are one path, not 3000 elements', () => {
    const timeline = new Timeline(0);
    for (let i = 0; i < 3000; i += 1) timeline.record({ lane: 'probe:w /health', kind: 'probe', label: 'refused', status: 'refused', atMs: i * 10 });
    const html = renderReportHtml(report({ durationMs: 30_000, timeline: timeline.toJSON() }));
    expect(html.match(/class="tick/g)).toHaveLength(1);
    expect(Buffer.byteLength(html)).toBeLessThan(100 * 1024);
  });
});
