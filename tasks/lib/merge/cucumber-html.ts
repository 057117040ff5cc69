import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type { Envelope } from './cucumber-messages.ts';

/**
 * Cucumber's own HTML report, from a (merged) message stream: the page `--format html` writes,
 * made by the same library. Returns false when that library is not installed (it comes with
 * @cucumber/cucumber, which a project merging Cucumber shards has).
 */
export async function writeCucumberHtml(file: string, envelopes: readonly Envelope[]): Promise<boolean> {
  let CucumberHtmlStream: typeof import('@cucumber/html-formatter').CucumberHtmlStream;
  try {
    ({ CucumberHtmlStream } = await import('@cucumber/html-formatter'));
  } catch {
    return false;
  }
  await pipeline(Readable.from(envelopes), new CucumberHtmlStream(), createWriteStream(file));
  return true;
}
