import { installedEngineBuilds, missingEngineMessage } from '../../../fixtures/reference-worker/src/engine-builds.ts';
import { HarnessError } from '../errors/harness-error.ts';

/**
 * Before spawning the reference worker on a backend, its llama.cpp build for that backend must
 * be installed (CI installs only the CPU build). Returns what is installed; throws
 * `BACKEND_UNSUPPORTED` / `ENGINE_BUILD_MISSING` (environment errors) with the install command.
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
