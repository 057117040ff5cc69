import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { $ } from 'zx';
import { repoPath } from '../helpers/fixture-path.ts';

interface Envelope {
  attachment?: { body: string; mediaType: string; fileName?: string };
  testCaseFinished?: unknown;
}

describe('Cucumber: a failing scenario carries the log tails', () => {
  it('attaches the hive log and the task output to the html, message and junit reports', async () => {
    const out = mkdtempSync(join(tmpdir(), 'hivecheck-cucumber-'));
    const result = await $({ cwd: repoPath(''), nothrow: true, quiet: true, env: { ...process.env, CI: 'true' } })`${process.execPath} --import tsx node_modules/@cucumber/cucumber/bin/cucumber.js --config test/fixtures/features/cucumber.fixture.mjs test/fixtures/features/deliberately-failing.feature --format ${`html:${out}/report.html`} --format ${`message:${out}/messages.ndjson`} --format ${`junit:${out}/junit.xml`}`;
    expect(result.exitCode, result.stdout + result.stderr).toBe(1);
    const envelopes = readFileSync(join(out, 'messages.ndjson'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Envelope);
    const attachments = envelopes.flatMap((envelope) => (envelope.attachment ? [envelope.attachment] : []));
    const hiveLog = attachments.find((attachment) => attachment.fileName === 'hive.log');
    expect(hiveLog?.body).toMatch(/silent hive listening on 127\.0\.0\.1:\d+ \(never answers\)/);
    expect(attachments.find((attachment) => attachment.fileName === 'task-output.txt')?.body).toContain('[Phase 2] ✗');
    // The html report embeds the same messages: the log line is in the page.
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toMatch(/silent hive listening on 127\.0\.0\.1:\d+ \(never answers\)/);
    expect(readFileSync(join(out, 'junit.xml'), 'utf8')).toMatch(/failures="1"/);
  }, 120_000);
});
