import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, chromiumInstalled, launchChromium } from '../helpers/headless-chromium.ts';
import { repoPath } from '../helpers/fixture-path.ts';
import { runTask, type InProcessRun } from '../helpers/run-task-in-process.ts';

/** Screenshots of the reports land here (the test's output folder; git ignores it). */
const OUT = repoPath('test-results/report-html');
/** Size budget for one report.html of a default run: inline CSS + JS + data. */
const MAX_HTML_BYTES = 160 * 1024;
/** A canary run records two subjects' frames (a message every 100 ms through the max-age probe, on each side). */
const MAX_CANARY_HTML_BYTES = 320 * 1024;

let browser: (BrowserContext & AsyncDisposable) | undefined;

/**
 * Without Debian's chromium this file is skipped with one line saying so (a developer's `npm test`);
 * under CI (CI set) or HIVECHECK_REQUIRE_CHROMIUM=1 a missing browser fails it instead.
 */
const skipBrowser = !chromiumInstalled() && !process.env.CI && process.env.HIVECHECK_REQUIRE_CHROMIUM !== '1';
if (skipBrowser) console.warn(`report.html browser test skipped: no chromium at ${CHROMIUM} (apt-get install -y chromium, or set HIVECHECK_CHROMIUM); CI=1 or HIVECHECK_REQUIRE_CHROMIUM=1 makes it fail instead`);

beforeAll(async () => {
  if (skipBrowser) return;
  mkdirSync(OUT, { recursive: true });
  browser = await launchChromium();
});
afterAll(async () => browser?.[Symbol.asyncDispose]());

/** Opens a run's report.html from disk, screenshots it, and checks that it asked the network for nothing and threw nothing. */
async function open(run: InProcessRun, name: string, maxBytes = MAX_HTML_BYTES): Promise<Page> {
  const file = join(run.reportDir, 'report.html');
  expect(statSync(file).size).toBeLessThan(maxBytes);
  const page = await (browser as BrowserContext).newPage();
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('pageerror', (error) => errors.push(error.message));
  const url = pathToFileURL(file).href;
  await page.goto(url);
  await page.screenshot({ path: join(OUT, `${name}.png`), fullPage: true });
  expect(requests).toEqual([url]);
  expect(errors).toEqual([]);
  return page;
}

const laneNames = (page: Page): Promise<string[]> => page.locator('.lane-name').allTextContents();

/** Clicks the failed check's bar on the timeline; its evidence section must scroll into view and the detail panel name it. */
async function clickFailedCheck(page: Page, run: InProcessRun, name: string): Promise<void> {
  const index = run.report.checks.findIndex((check) => check.name === name && check.verdict === 'fail');
  expect(index, `check "${name}" failed`).toBeGreaterThanOrEqual(0);
  await expect.poll(() => page.locator(`#row-${index}.v-fail`).count()).toBe(1);
  await page.locator(`svg rect.span.s-error[data-check="${index}"]`).click();
  await expect.poll(() => page.locator('#detail').textContent()).toContain(name);
  const inView = async (): Promise<boolean> => {
    const box = await page.locator(`#check-${index}`).boundingBox();
    return box !== null && box.y >= -2 && box.y < (page.viewportSize()?.height ?? 900) / 2;
  };
  await expect.poll(inView, { timeout: 5000 }).toBe(true);
}

describe.skipIf(skipBrowser)('report.html in headless Chromium', () => {
  it('a passing worker:test: lanes for the checks, the worker, its probes and the hive; no failure shown', async () => {
    const run = await runTask(['worker:test', '--heartbeat-interval', '0.3']);
    expect(run.exitCode).toBe(0);
    const page = await open(run, 'worker-test-pass');
    expect(await laneNames(page)).toEqual(expect.arrayContaining(['checks', 'process:worker', 'probe:worker /v1/health', 'probe:worker /v1/ready', 'hive']));
    expect(await page.locator('h1').textContent()).toContain('worker:test passed');
    expect(await page.locator('tr.v-pass').count()).toBe(run.report.checks.length);
    expect(await page.locator('svg .s-ok.tick').count()).toBeGreaterThan(0); // the ok probes
    expect(await page.locator('svg .ready').count()).toBe(1); // the worker's ready moment
    expect(await page.locator('#failures').count()).toBe(0);
  });

  it('a failing worker:test (the worker crashes at start): the failed health check jumps to its evidence and the worker log of that moment', async () => {
    const run = await runTask(['worker:test', '--worker-arg=--fault=crash-at-start']);
    expect(run.exitCode).toBe(1);
    const page = await open(run, 'worker-test-fail');
    expect(await laneNames(page)).toEqual(expect.arrayContaining(['checks', 'process:worker', 'probe:worker /v1/health', 'faults']));
    expect(await page.locator('svg line.fault.s-warn').count()).toBe(1); // the fault asked of the reference worker
    expect(await page.locator('svg .pmark.s-error').count()).toBe(1); // exited with code 1
    await clickFailedCheck(page, run, 'health');
    const evidence = page.locator('#failures .evidence').first();
    expect(await evidence.textContent()).toContain('PROCESS_EXITED');
    expect(await evidence.locator('.around pre').first().textContent()).toContain('fault injected (crash-at-start)');
    await page.screenshot({ path: join(OUT, 'worker-test-fail-evidence.png') });
  });

  it('a passing status-protocol:test: one lane per WebSocket session, frames in state colours, token redacted', async () => {
    const token = 'tok-report-html-7f3a9c';
    const run = await runTask(['status-protocol:test', '--token', token]);
    expect(run.exitCode).toBe(0);
    expect(readFileSync(join(run.reportDir, 'report.html'), 'utf8')).not.toContain(token);
    const page = await open(run, 'status-protocol-pass');
    const lanes = await laneNames(page);
    expect(lanes).toEqual(expect.arrayContaining(['checks', 'process:policy-server', 'probe:policy-server /api/v1/models', 'ws:cold-start', 'ws:warm', 'faults']));
    expect(await page.locator('svg rect.gap').count()).toBe(0); // no gap above the keepalive
  });

  it('a failing status-protocol:test (gaps above the keepalive): the gap is marked, the cold start check jumps to its evidence', async () => {
    const run = await runTask(['status-protocol:test', '--fault', 'buggy-periodic']);
    expect(run.exitCode).toBe(1);
    const page = await open(run, 'status-protocol-fail');
    expect(await laneNames(page)).toEqual(expect.arrayContaining(['ws:cold-start', 'faults']));
    expect(await page.locator('svg rect.gap').count()).toBeGreaterThan(0);
    expect(await page.locator('svg .point.s-warn').count()).toBeGreaterThan(0);
    await clickFailedCheck(page, run, 'cold start');
    expect(await page.locator('#failures .evidence').first().textContent()).toContain('STATUS_GAP_ABOVE_KEEPALIVE');
  });

  // A hold a release engineer must understand from the page alone: the decision first, what it
  // means, why (a gate failing on both sides), the gate table and the metric table.
  it('a canary:check hold leads with the decision, its reasons, the gate table (baseline / canary / outcome) and the metric table', async () => {
    const run = await runTask(['canary:check', '--aa', '--idle', '0.5', '--ping-interval', '0.5', '--pong-timeout', '2', '--detect-within', '0.1', '--close-within', '2', '--samples', '20']);
    expect(run.exitCode, run.output.slice(-2000)).toBe(4);
    const page = await open(run, 'canary-hold', MAX_CANARY_HTML_BYTES);
    expect(await page.locator('h1').textContent()).toContain('canary:check HOLD');
    expect(await page.locator('header .exit').textContent()).toContain('exit 4 (hold: inconclusive, a person decides)');
    expect(await page.locator('#canary .decision-word').textContent()).toBe('HOLD');
    expect(await page.locator('#canary .decision-meaning').textContent()).toMatch(/a person looks at the reasons below and decides/);
    // the decision comes before the timeline and the checks
    const top = async (selector: string): Promise<number> => (await page.locator(selector).boundingBox())?.y ?? Number.NaN;
    expect(await top('#canary')).toBeLessThan(await top('#timeline'));
    expect(await page.locator('#canary ol.reasons li').first().textContent()).toMatch(/gate "stale path after idle" fails on both sides: the probe or its budget does not fit this subject/);
    const stale = page.locator('#canary table.canary-gates tr', { hasText: 'stale path after idle' });
    expect(await stale.locator('td').allTextContents()).toEqual([expect.stringContaining('stale path after idle'), 'fail', 'fail', expect.stringContaining('fails on both sides'), expect.stringContaining('did not notice the dead path')]);
    expect(await page.locator('#canary table.canary-gates tr', { hasText: 'proactive reconnect at max age' }).locator('td.outcome').textContent()).toBe('pass');
    expect(await page.locator('#canary table.canary-metrics tr', { hasText: 'reply latency' }).locator('td').nth(1).textContent()).toMatch(/^20\/20/);
    // the timeline shows when each probe ran, and which failed on both sides
    expect(await laneNames(page)).toEqual(expect.arrayContaining(['phases', 'ws:baseline', 'ws:canary', 'faults']));
    expect(await page.locator('svg rect.span.s-warn').count()).toBeGreaterThan(0);
  });
});
