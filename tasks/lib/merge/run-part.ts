import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { HarnessError } from '../errors/harness-error.ts';
import type { ReportJson } from '../report/run-report.ts';
import { cucumberRunToReport, readEnvelopes, type Envelope } from './cucumber-messages.ts';
import { readReportJson } from './sub-report.ts';

/** One node's or shard's run, as found in its report folder. */
export interface RunPart {
  /** The node or shard name: the run's `settings.node` when it recorded one, else the folder's name. */
  node: string;
  dir: string;
  /** The run as a hivecheck report (a Cucumber run converted: a check per scenario); undefined when the folder holds none. */
  report?: ReportJson;
  /** A Cucumber run's message stream and junit file, kept to merge them as Cucumber's own. */
  cucumber?: { envelopes: Envelope[]; junit?: string };
}

/** The Cucumber message file of a folder: `cucumber.ndjson`, else the only `*.ndjson`. */
function messageFile(dir: string): string | undefined {
  const preferred = join(dir, 'cucumber.ndjson');
  if (existsSync(preferred)) return preferred;
  const found = readdirSync(dir).filter((name) => name.endsWith('.ndjson'));
  return found.length === 1 ? join(dir, found[0] as string) : undefined;
}

function junitFile(dir: string): string | undefined {
  const found = readdirSync(dir).filter((name) => name.endsWith('.xml') && name !== 'junit.xml');
  const preferred = found.find((name) => name.includes('junit')) ?? (found.length === 1 ? found[0] : undefined);
  return preferred ? join(dir, preferred) : undefined;
}

/**
 * Reads a report folder: a hivecheck run (`report.json`) or a Cucumber run (its message file,
 * `--format message:<dir>/cucumber.ndjson`, plus its junit file if there is one). A folder that
 * does not exist or holds neither is a usage error naming the folder.
 */
export function readRunPart(dir: string, taken: ReadonlySet<string> = new Set()): RunPart {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new HarnessError('REPORT_DIR_NOT_FOUND', `no report folder at ${dir}`, { kind: 'usage', hint: 'pass the folders given to --report (or to Cucumber formatters) of the runs to merge' });
  const unique = (name: string): string => {
    let candidate = name;
    for (let n = 2; taken.has(candidate); n += 1) candidate = `${name}-${n}`;
    return candidate;
  };
  const report = readReportJson(dir);
  if (report) {
    const named = typeof report.settings.node === 'string' ? report.settings.node : basename(dir);
    return { node: unique(named), dir, report };
  }
  const messages = messageFile(dir);
  if (messages) {
    let envelopes: Envelope[];
    try {
      envelopes = readEnvelopes(messages);
    } catch (error) {
      throw new HarnessError('REPORT_UNREADABLE', `${messages} is not a Cucumber message stream (one JSON envelope per line): ${(error as Error).message}`, { kind: 'usage' });
    }
    const junit = junitFile(dir);
    return { node: unique(basename(dir)), dir, report: cucumberRunToReport(envelopes), cucumber: { envelopes, ...(junit ? { junit: readFileSync(junit, 'utf8') } : {}) } };
  }
  throw new HarnessError('REPORT_NOT_FOUND', `${dir} holds neither a hivecheck report.json nor a Cucumber message file (*.ndjson)`, {
    kind: 'usage',
    hint: 'hivecheck runs write report.json into --report <dir>; Cucumber writes messages with --format message:<dir>/cucumber.ndjson',
  });
}
