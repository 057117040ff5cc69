import { ensureTinyModel } from '../../fixtures/tiny-model/write-tiny-llama.ts';

/**
 * Vitest global setup: what many test files need and none should build for itself, made once
 * before the workers start, so two files never generate the same thing at once:
 * the tiny llama models (ASCII and UTF-8 vocabularies) in .hivecheck/models.
 * (The precompiled CLI is built by `npm ci`; bin/hivecheck.mjs rebuilds it only when stale.)
 * Every vitest project runs global setups; ensureTinyModel only checks the files after the first.
 */
export default async function setup(): Promise<void> {
  await ensureTinyModel(undefined, 'ascii');
  await ensureTinyModel(undefined, 'utf8');
}
