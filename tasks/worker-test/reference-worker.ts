import { fileURLToPath } from 'node:url';
import { installedEngineBuilds, missingEngineMessage } from '../../fixtures/reference-worker/src/engine-builds.ts';
import { HarnessError } from '../lib/errors/harness-error.ts';

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

/**
 * Before spawning the reference worker on a backend, its llama.cpp build for that backend must
 * be installed (CI installs only the CPU build).
 */
export function checkReferenceEngine(backend: string): string {
  if (backend !== 'cpu' && backend !== 'cuda' && backend !== 'vulkan') {
    throw new HarnessError('BACKEND_UNSUPPORTED', `the reference worker has no ${backend} build on ${process.platform}-${process.arch}`, { kind: 'environment', hint: 'use --backend cpu, cuda or vulkan' });
  }
  const missing = missingEngineMessage(backend);
  if (missing) {
    const [what, fix] = missing.split('; run: ');
    throw new HarnessError('ENGINE_BUILD_MISSING', what as string, { kind: 'environment', hint: fix ? `run: ${fix}` : undefined });
  }
  return `node-llama-cpp ${installedEngineBuilds().version} with its ${backend} build`;
}
