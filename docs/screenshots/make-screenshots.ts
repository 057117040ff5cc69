/**
 * Regenerates the screenshots in docs/screenshots/: runs worker:test and status-protocol:test,
 * each once passing and once failing (a fault of the reference fixture), through the project's
 * entry (bin/hivecheck.mjs) with `--report`, opens each report.html from disk in headless Chromium
 * (test/helpers/headless-chromium.ts, the browser test's helper) and screenshots the top of the
 * page (timeline and checks); for a failing run also after clicking its failed check on the
 * timeline (the jump to the evidence and the process log of that moment).
 *
 * Run: npm run screenshots     (about a minute; needs Debian's `chromium`)
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { $ } from 'zx';
import type { ReportJson } from '../../tasks/lib/report/run-report.ts';
import { launchChromium } from '../../test/helpers/headless-chromium.ts';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const VIEWPORT = { width: 1280, height: 900 };

interface Shot {
  name: string;
  args: string[];
  exitCode: number;
}

const SHOTS: readonly Shot[] = [
  { name: 'worker-test-pass', args: ['worker:test', '--heartbeat-interval', '0.3'], exitCode: 0 },
  { name: 'worker-test-fail', args: ['worker:test', '--worker-arg=--fault=crash-mid-stream'], exitCode: 1 },
  { name: 'status-protocol-pass', args: ['status-protocol:test', '--token', 'tok-shown-nowhere-4c1d'], exitCode: 0 },
  { name: 'status-protocol-fail', args: ['status-protocol:test', '--fault', 'buggy-periodic'], exitCode: 1 },
];

async function runWithReport(shot: Shot, dir: string): Promise<ReportJson> {
  const result = await $({ cwd: ROOT, nothrow: true, quiet: true, env: { ...process.env, CI: 'true' } })`${process.execPath} bin/hivecheck.mjs ${shot.args} --report ${dir}`;
  if (result.exitCode !== shot.exitCode) throw new Error(`${shot.args.join(' ')} exited ${result.exitCode}, expected ${shot.exitCode}:\n${result.stdout.slice(-3000)}`);
  return JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as ReportJson;
}

async function save(page: Page, name: string): Promise<void> {
  const path = join(HERE, `${name}.png`);
  await page.screenshot({ path });
  console.log(`  ${name}.png  ${(statSync(path).size / 1024).toFixed(0)} KB`);
}

/** Clicks the first failed check's bar on the timeline and waits until its evidence has scrolled to the top. */
async function showFailedCheck(page: Page, report: ReportJson): Promise<void> {
  const index = report.checks.findIndex((check) => check.verdict === 'fail');
  if (index < 0) throw new Error('the failing run has no failed check');
  await page.locator(`svg rect.span.s-error[data-check="${index}"]`).click();
  const evidence = page.locator(`#check-${index}`);
  for (const started = performance.now(); Math.abs((await evidence.boundingBox())?.y ?? 999) >= 4; ) {
    if (performance.now() - started > 5000) throw new Error(`the evidence of check ${index} did not scroll to the top within 5 s`);
    await page.waitForTimeout(10); // a smooth scroll in progress: poll fast
  }
}

await using browser = await launchChromium();
for (const shot of SHOTS) {
  const dir = mkdtempSync(join(tmpdir(), 'hivecheck-screenshot-'));
  try {
    console.log(`${shot.name}: npm run task -- ${shot.args.join(' ')}`);
    const report = await runWithReport(shot, dir);
    const page = await browser.newPage();
    await page.setViewportSize(VIEWPORT);
    await page.goto(pathToFileURL(join(dir, 'report.html')).href);
    await save(page, shot.name);
    if (shot.exitCode !== 0) {
      await showFailedCheck(page, report);
      await save(page, `${shot.name}-evidence`);
    }
    await page.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
