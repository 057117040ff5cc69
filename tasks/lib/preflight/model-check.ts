import { ensureTinyModel } from '../../../fixtures/tiny-model/write-tiny-llama.ts';
import { inspectModelFile, type ModelFileInfo } from '../model/model-file.ts';

const kb = (bytes: number): string => (bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(1)} MB` : `${Math.round(bytes / 1024)} KB`);

/**
 * The model a worker will load: the user's file, or the generated tiny model. Validated (exists,
 * GGUF magic, version, architecture, tensor data) before anything is spawned; throws
 * `MODEL_NOT_FOUND` / `MODEL_INVALID` / … (environment errors, each with a fix).
 */
export async function checkModelFile(path: string | undefined, options: { cwd?: string } = {}): Promise<{ info: ModelFileInfo; detail: string }> {
  const file = path ?? (await ensureTinyModel());
  const info = await inspectModelFile(file, options);
  return { info, detail: `${info.path}: GGUF v${info.ggufVersion}, ${info.architecture}, ${kb(info.sizeBytes)}, ${info.tensorCount} tensors${path ? '' : ' (generated tiny model)'}` };
}
