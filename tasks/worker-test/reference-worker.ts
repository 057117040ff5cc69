import { nodeProgram } from '../lib/process/node-program.ts';

/** The built-in worker: `node <build>/reference-worker.js`, or `node --import tsx fixtures/reference-worker/src/main.ts` without a current build. */
export function referenceWorkerBase(): string[] {
  return nodeProgram('reference-worker');
}
/** The reference worker's own flags: the seed CLI plus its API style and engine settings. */
export const REFERENCE_ARGS = [
  '--worker-id', '{workerId}', '--model', '{model}', '--model-ref', '{modelRef}', '--backend', '{backend}', '--device', '{device}',
  '--port', '{port}', '--hive-url', '{hiveUrl}', '--heartbeat-interval', '{heartbeatInterval}', '--threads', '{threads}',
  '--context-size', '{contextSize}', '--local-mode',
] as const;

/** Engine build check: one place, tasks/lib/preflight (re-exported for worker:test). */
export { checkReferenceEngine } from '../lib/preflight/engine-check.ts';
