import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderReportHtml } from './html/report-html.ts';
import { toJunitXml } from './junit-xml.ts';
import type { ReportJson } from './run-report.ts';

export interface ReportFiles {
  json: string;
  junit: string;
  html: string;
}

/** Writes `report.json`, `junit.xml` and `report.html` (built from the JSON) into `dir` (created if needed); returns their paths. */
export async function writeReportFiles(dir: string, report: ReportJson): Promise<ReportFiles> {
  await mkdir(dir, { recursive: true });
  const json = join(dir, 'report.json');
  const junit = join(dir, 'junit.xml');
  const html = join(dir, 'report.html');
  await writeFile(json, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(junit, toJunitXml(report));
  await writeFile(html, renderReportHtml(report));
  return { json, junit, html };
}
