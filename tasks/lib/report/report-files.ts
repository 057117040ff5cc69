import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { toJunitXml } from './junit-xml.ts';
import type { ReportJson } from './run-report.ts';

/** Writes `report.json` and `junit.xml` into `dir` (created if needed); returns their paths. */
export async function writeReportFiles(dir: string, report: ReportJson): Promise<{ json: string; junit: string }> {
  await mkdir(dir, { recursive: true });
  const json = join(dir, 'report.json');
  const junit = join(dir, 'junit.xml');
  await writeFile(json, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(junit, toJunitXml(report));
  return { json, junit };
}
