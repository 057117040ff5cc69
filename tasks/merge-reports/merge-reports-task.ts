import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { HarnessError } from '../lib/errors/harness-error.ts';
import { mergeCucumberJunit, mergeCucumberMessages } from '../lib/merge/cucumber-messages.ts';
import { writeCucumberHtml } from '../lib/merge/cucumber-html.ts';
import { mergeRuns } from '../lib/merge/merge-runs.ts';
import { readRunPart, type RunPart } from '../lib/merge/run-part.ts';
import type { TaskDefinition } from '../runner/task-definition.ts';

export const mergeReportsTask: TaskDefinition = {
  name: 'merge-reports',
  summary: 'merge the reports of runs made elsewhere (nodes, CI shards, Cucumber shards) into one report, junit and report.html',
  description: [
    'Reads each folder (a hivecheck --report folder with report.json, or a Cucumber run with its',
    'message file, --format message:<dir>/cucumber.ndjson, and junit file) and writes one report:',
    "report.json with every run's checks named '<node> › <check>' plus one verdict line per node,",
    'a `nodes` section, junit.xml with a testsuite per node or shard, and report.html with the',
    "timeline lanes grouped per node. A node is named by its run's settings.node, else its folder.",
    'Cucumber shards also merge into cucumber.ndjson (one run: definitions once, every shard\'s',
    'results), cucumber.junit.xml (a testsuite per shard) and cucumber.html (Cucumber\'s own page). Exit code: 1 when any run failed,',
    '3 (2) when one stopped on an environment (usage) error; 2 for a missing or unreadable folder.',
  ].join('\n'),
  positionals: { usage: '<dir>…', description: 'report folders to merge (at least one)' },
  flags: [],
  examples: ['npm run task -- merge-reports shard-1 shard-2 shard-3 --report merged', 'npm run task -- merge-reports nodes/* --report fleet-report --json'],
  async run(context, flags) {
    const dirs = flags.positionals.map((dir) => resolve(context.cwd, dir));
    if (dirs.length === 0) throw new HarnessError('NO_REPORTS', 'no report folders given', { kind: 'usage', hint: 'npm run task -- merge-reports <dir>… --report <out>' });
    const parts: RunPart[] = [];
    for (const dir of dirs) parts.push(readRunPart(dir, new Set(parts.map((part) => part.node))));
    context.report.settings = { merged: parts.map((part) => ({ node: part.node, from: part.dir, task: part.report?.task })) };
    const starts = parts.map((part) => (part.report ? Date.parse(part.report.startedAt) : Number.NaN)).filter((start) => Number.isFinite(start));
    await mergeRuns(context.report, parts, starts.length ? Math.min(...starts) : Date.now());
    const shards = parts.filter((part) => part.cucumber);
    if (shards.length === 0) return;
    // Beside report.json: in --report <dir>, else in the run folder.
    const reportFlag = flags.optionalString('report');
    const out = reportFlag ? resolve(context.cwd, reportFlag) : context.runDir;
    const envelopes = mergeCucumberMessages(shards.map((part) => part.cucumber?.envelopes ?? []));
    const written = [`${out}/cucumber.ndjson`];
    await writeFile(written[0] as string, envelopes.map((envelope) => JSON.stringify(envelope)).join('\n') + '\n');
    const junits = shards.filter((part) => part.cucumber?.junit).map((part) => ({ name: part.node, xml: part.cucumber?.junit ?? '' }));
    if (junits.length) {
      await writeFile(`${out}/cucumber.junit.xml`, mergeCucumberJunit(junits));
      written.push(`${out}/cucumber.junit.xml`);
    }
    if (await writeCucumberHtml(`${out}/cucumber.html`, envelopes)) written.push(`${out}/cucumber.html`);
    else context.out.warn('cucumber.html not written: @cucumber/html-formatter is not installed (it comes with @cucumber/cucumber)');
    context.out.info(`cucumber: ${written.join(', ')} (${shards.length} shards as one run)`);
  },
};
