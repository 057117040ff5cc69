import { readFileSync } from 'node:fs';
import type { CheckResult, Verdict } from '../report/check-result.ts';
import type { ReportJson } from '../report/run-report.ts';
import type { TimelineEvent } from '../report/timeline.ts';

/**
 * Cucumber's message stream (`--format message:<file>`, one JSON envelope per line): read it,
 * turn a run into a hivecheck report (one check per scenario), and merge the streams of several
 * shards into one stream that reads like a single run (what `merge-reports` writes as
 * cucumber.ndjson, and what Cucumber's own formatters can read back).
 */
// Envelopes are read loosely: only the fields named here are used; everything else passes through.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Envelope = Record<string, any>;

export function readEnvelopes(file: string): Envelope[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Envelope);
}

const kindOf = (envelope: Envelope): string => Object.keys(envelope)[0] ?? '';
const ms = (timestamp: { seconds: number; nanos: number } | undefined): number => (timestamp ? timestamp.seconds * 1000 + timestamp.nanos / 1e6 : 0);

/** Worst first: a scenario's verdict is its worst step's status (strict: undefined and pending steps fail). */
const STATUS_RANK = ['FAILED', 'AMBIGUOUS', 'UNDEFINED', 'PENDING', 'SKIPPED', 'PASSED', 'UNKNOWN'];
const verdictOf = (status: string): Verdict => (status === 'PASSED' ? 'pass' : status === 'SKIPPED' || status === 'UNKNOWN' ? 'skip' : 'fail');

export interface ScenarioOutcome {
  /** `<feature file> › <scenario name>` (a scenario outline's rows share the name; `line` tells them apart). */
  name: string;
  uri: string;
  line: number;
  status: string;
  startMs: number;
  endMs: number;
  message?: string;
  steps: number;
}

/** The scenarios a run executed (the last attempt of each, when retried), in the order they ran. */
export function scenarioOutcomes(envelopes: readonly Envelope[]): ScenarioOutcome[] {
  const pickles = new Map<string, Envelope>();
  const lines = new Map<string, number>();
  const testCases = new Map<string, Envelope>();
  const started = new Map<string, { testCaseId: string; startMs: number; worst: string; message?: string; steps: number }>();
  const byTestCase = new Map<string, ScenarioOutcome>();
  for (const envelope of envelopes) {
    const kind = kindOf(envelope);
    const body = envelope[kind];
    if (kind === 'gherkinDocument') collectLines(body, lines);
    else if (kind === 'pickle') pickles.set(body.id, body);
    else if (kind === 'testCase') testCases.set(body.id, body);
    else if (kind === 'testCaseStarted') started.set(body.id, { testCaseId: body.testCaseId, startMs: ms(body.timestamp), worst: 'PASSED', steps: 0 });
    else if (kind === 'testStepFinished') {
      const run = started.get(body.testCaseStartedId);
      const status = String(body.testStepResult?.status ?? 'UNKNOWN');
      if (!run) continue;
      run.steps += 1;
      if (STATUS_RANK.indexOf(status) < STATUS_RANK.indexOf(run.worst)) {
        run.worst = status;
        if (body.testStepResult?.message) run.message = String(body.testStepResult.message);
      }
    } else if (kind === 'testCaseFinished') {
      const run = started.get(body.testCaseStartedId);
      const testCase = run && testCases.get(run.testCaseId);
      const pickle = testCase && pickles.get(testCase.pickleId);
      if (!run || !pickle || body.willBeRetried) continue;
      byTestCase.set(run.testCaseId, {
        name: `${pickle.uri} › ${pickle.name}`,
        uri: pickle.uri,
        line: lines.get(pickle.astNodeIds?.at(-1)) ?? lines.get(pickle.astNodeIds?.[0]) ?? 0,
        status: run.worst,
        startMs: run.startMs,
        endMs: ms(body.timestamp),
        ...(run.message ? { message: run.message } : {}),
        steps: run.steps,
      });
    }
  }
  return [...byTestCase.values()];
}

/** Scenario and example-row ids → their line in the feature file. */
function collectLines(node: unknown, lines: Map<string, number>): void {
  if (Array.isArray(node)) {
    for (const item of node) collectLines(item, lines);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const record = node as Record<string, unknown>;
  const location = record.location as { line?: number } | undefined;
  if (typeof record.id === 'string' && location?.line !== undefined) lines.set(record.id, location.line);
  for (const value of Object.values(record)) if (value && typeof value === 'object') collectLines(value, lines);
}

/** A Cucumber run as a hivecheck report: a check per scenario, a `checks` span for each on the run's clock. */
export function cucumberRunToReport(envelopes: readonly Envelope[]): ReportJson {
  const runStarted = envelopes.find((envelope) => envelope.testRunStarted)?.testRunStarted;
  const runFinished = envelopes.find((envelope) => envelope.testRunFinished)?.testRunFinished;
  const origin = ms(runStarted?.timestamp);
  const outcomes = scenarioOutcomes(envelopes);
  const checks: CheckResult[] = outcomes.map((outcome) => {
    const verdict = verdictOf(outcome.status);
    const firstLine = outcome.message?.split('\n').find((line) => line.trim() !== '');
    const detail = verdict === 'pass' ? `${outcome.steps} steps passed` : verdict === 'skip' ? 'skipped' : `${outcome.status.toLowerCase()}: ${firstLine ?? 'no message'}`;
    return {
      name: outcome.name,
      verdict,
      durationMs: Math.round((outcome.endMs - outcome.startMs) * 10) / 10,
      detail,
      ...(verdict === 'fail' ? { code: `CUCUMBER_${outcome.status}` } : {}),
      evidence: { feature: `${outcome.uri}:${outcome.line}`, ...(outcome.message ? { message: outcome.message } : {}) },
    };
  });
  const events: TimelineEvent[] = outcomes.map((outcome, i) => ({
    atMs: outcome.startMs - origin,
    endMs: outcome.endMs - origin,
    lane: 'checks',
    kind: 'check',
    label: outcome.name,
    status: checks[i]?.verdict === 'pass' ? 'ok' : checks[i]?.verdict === 'fail' ? 'error' : 'info',
  }));
  const count = (verdict: Verdict): number => checks.filter((check) => check.verdict === verdict).length;
  const failed = count('fail') > 0 || runFinished?.success === false;
  const durationMs = Math.round(ms(runFinished?.timestamp) - origin);
  return {
    tool: 'hivecheck',
    task: 'cucumber',
    verdict: failed ? 'fail' : 'pass',
    exitCode: failed ? 1 : 0,
    interrupted: false,
    startedAt: new Date(origin).toISOString(),
    durationMs: Math.max(0, durationMs),
    summary: { passed: count('pass'), failed: count('fail'), skipped: count('skip'), interrupted: 0 },
    settings: { cucumber: envelopes.find((envelope) => envelope.meta)?.meta?.implementation?.version ?? 'unknown' },
    checks,
    logs: [],
    timeline: { events, dropped: 0 },
  };
}

/** Maps the ids of a later shard's copy of a tree onto the first shard's copy (same source, same shape). */
function mapIds(kept: unknown, other: unknown, ids: Map<string, string>): void {
  if (Array.isArray(kept) && Array.isArray(other)) {
    kept.forEach((item, i) => mapIds(item, other[i], ids));
    return;
  }
  if (!kept || !other || typeof kept !== 'object' || typeof other !== 'object') return;
  const a = kept as Record<string, unknown>;
  const b = other as Record<string, unknown>;
  if (typeof a.id === 'string' && typeof b.id === 'string' && a.id !== b.id) ids.set(b.id, a.id);
  for (const key of Object.keys(a)) if (a[key] && typeof a[key] === 'object') mapIds(a[key], b[key], ids);
}

/** Every string that is a mapped id, replaced (ids are UUIDs: no other string equals one). */
function remap<T>(value: T, ids: ReadonlyMap<string, string>): T {
  if (typeof value === 'string') {
    let id: string = value;
    // A later shard may start earlier than the kept one: follow the chain (bounded: ids never loop).
    for (let hops = 0; ids.has(id) && hops < 8; hops += 1) id = ids.get(id) as string;
    return id as T;
  }
  if (Array.isArray(value)) return value.map((item) => remap(item, ids)) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, remap(item, ids)])) as T;
  return value;
}

/** What makes a definition the same across shards (each shard parses the same features and loads the same code). */
function definitionKey(kind: string, body: Envelope): string | undefined {
  const ref = body.sourceReference;
  const where = ref ? `${ref.uri ?? ''}:${ref.location?.line ?? ''}` : '';
  switch (kind) {
    case 'meta':
      return 'meta';
    case 'source':
    case 'gherkinDocument':
      return body.uri;
    case 'pickle':
      return `${body.uri}|${(body.astNodeIds as string[]).join(',')}`;
    case 'stepDefinition':
      return `${where}|${body.pattern?.source ?? ''}`;
    case 'hook':
      return `${where}|${body.name ?? ''}|${body.type ?? ''}|${body.tagExpression ?? ''}`;
    case 'parameterType':
      return body.name;
    case 'undefinedParameterType':
      return JSON.stringify(body);
    default:
      return undefined;
  }
}

const DEFINITIONS = ['meta', 'source', 'gherkinDocument', 'pickle', 'parameterType', 'undefinedParameterType', 'stepDefinition', 'hook'];

/**
 * The shards' message streams as one run: definitions (sources, documents, pickles, step
 * definitions, hooks) once, with later shards' ids mapped onto the first copy; every shard's
 * test cases and results; one testRunStarted (the earliest) and one testRunFinished (the latest,
 * successful only when every shard was).
 */
export function mergeCucumberMessages(shards: readonly (readonly Envelope[])[]): Envelope[] {
  const kept = new Map<string, Envelope>();
  const definitions: Envelope[] = [];
  const runEvents: Envelope[] = [];
  const ids = new Map<string, string>();
  let runStarted: Envelope | undefined;
  let finished: { timestamp: { seconds: number; nanos: number }; success: boolean; message?: string } | undefined;
  const messages: string[] = [];
  for (const envelopes of shards) {
    for (const envelope of envelopes) {
      const kind = kindOf(envelope);
      const body = envelope[kind];
      if (DEFINITIONS.includes(kind)) {
        // Pickles point at document nodes: map those first, so a pickle's key uses the kept ids.
        const key = definitionKey(kind, kind === 'pickle' ? remap(body, ids) : body);
        const first = key === undefined ? undefined : kept.get(`${kind}|${key}`);
        if (first) {
          mapIds(first[kind], body, ids);
          continue;
        }
        const copy = remap(envelope, ids);
        if (key !== undefined) kept.set(`${kind}|${key}`, copy);
        definitions.push(copy);
      } else if (kind === 'testRunStarted') {
        if (!runStarted || ms(body.timestamp) < ms(runStarted.testRunStarted.timestamp)) {
          if (runStarted?.testRunStarted.id && body.id) ids.set(runStarted.testRunStarted.id, body.id);
          runStarted = envelope;
        } else if (body.id && runStarted.testRunStarted.id) ids.set(body.id, runStarted.testRunStarted.id);
      } else if (kind === 'testRunFinished') {
        const success = body.success !== false;
        if (body.message) messages.push(String(body.message));
        if (!finished || ms(body.timestamp) > ms(finished.timestamp)) finished = { timestamp: body.timestamp, success: (finished?.success ?? true) && success };
        else finished.success &&= success;
      } else {
        runEvents.push(envelope);
      }
    }
  }
  const out = [...definitions];
  if (runStarted) out.push(remap(runStarted, ids));
  out.push(...runEvents.map((envelope) => remap(envelope, ids)));
  if (finished) {
    const startedId = runStarted?.testRunStarted.id;
    out.push({ testRunFinished: { timestamp: finished.timestamp, success: finished.success, ...(messages.length ? { message: messages.join('\n') } : {}), ...(startedId ? { testRunStartedId: startedId } : {}) } });
  }
  return out;
}

/**
 * Cucumber's junit files as one: each shard's `<testsuite>` kept whole and renamed after its
 * shard, under one `<testsuites>` whose totals are the sums.
 */
export function mergeCucumberJunit(shards: readonly { name: string; xml: string }[]): string {
  const suites: string[] = [];
  const totals = { tests: 0, failures: 0, errors: 0, skipped: 0, time: 0 };
  for (const shard of shards) {
    for (const suite of shard.xml.match(/<testsuite\b[\s\S]*?<\/testsuite>|<testsuite\b[^>]*\/>/g) ?? []) {
      const open = suite.match(/^<testsuite\b[^>]*>/)?.[0] ?? '';
      const attribute = (name: string): number => Number(open.match(new RegExp(`\\b${name}="([^"]*)"`))?.[1] ?? 0) || 0;
      totals.tests += attribute('tests');
      totals.failures += attribute('failures');
      totals.errors += attribute('errors');
      totals.skipped += attribute('skipped');
      totals.time += attribute('time');
      suites.push(suite.replace(/^<testsuite\b([^>]*?)\bname="[^"]*"/, `<testsuite$1name="${escapeAttribute(shard.name)}"`));
    }
  }
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="cucumber" tests="${totals.tests}" failures="${totals.failures}" errors="${totals.errors}" skipped="${totals.skipped}" time="${totals.time.toFixed(3)}">`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}

const escapeAttribute = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
