import { fileURLToPath } from 'node:url';

/** The built-in worker: `node --import tsx fixtures/reference-worker/src/main.ts`. */
export function referenceWorkerBase(): string[] {
  const main = fileURLToPath(new URL('../../fixtures/reference-worker/src/main.ts', import.meta.url));
  return [process.execPath, '--import', import.meta.resolve('tsx'), main];
}

/** The reference worker's own flags: the seed CLI plus its API style and engine settings. */
export const REFERENCE_ARGS = [
  '--worker-id', '{workerId}', '--model', '{model}', '--model-ref', '{modelRef}', '--backend', '{backend}', '--device', '{device}',
  '--port', '{port}', '--hive-url', '{hiveUrl}', '--heartbeat-interval', '{heartbeatInterval}', '--threads', '{threads}',
  '--context-size', '{contextSize}', '--local-mode',
] as const;

/** Engine build check: one place, tasks/lib/preflight (re-exported for worker:test). */
export { checkReferenceEngine } from '../lib/preflight/engine-check.ts';
