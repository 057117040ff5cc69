/** What the keeper asks the hive for (seed 004, phases 3–5): a worker for a model on a backend and device. */
export interface SpawnRequest {
  /** Chosen by the keeper, or `worker-<n>` by the hive. */
  workerId?: string;
  /** Path of the model file on the hive's node. */
  modelPath: string;
  /** How the model is named to clients (`hf:tinyllama….gguf`); defaults to the path. */
  modelRef: string;
  backend: string;
  device: number;
  /** A worker profile the hive knows (`seed`, `v1`, …): which worker and API to start. */
  profile?: string;
  /** A whole worker command line as an argv template with `{placeholders}`, instead of the profile's. */
  command?: string[];
}

const BACKENDS = ['cpu', 'cuda', 'vulkan', 'metal'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Validates a spawn body: `{"model_path", "backend", "device", "model_ref"?, "worker_id"?,
 * "profile"?, "command"?}`. Returns the request or the reason it is refused (HTTP 400).
 */
export function parseSpawnRequest(body: unknown): { ok: true; request: SpawnRequest } | { ok: false; reason: string } {
  if (!isRecord(body)) return { ok: false, reason: 'body must be a JSON object' };
  const { model_path: modelPath, model_ref: modelRef, backend, device, worker_id: workerId, profile, command } = body;
  if (typeof modelPath !== 'string' || modelPath.trim() === '') return { ok: false, reason: 'model_path (the model file on this node) is required' };
  if (typeof backend !== 'string' || !BACKENDS.includes(backend)) return { ok: false, reason: `backend must be one of ${BACKENDS.join(', ')}, got ${JSON.stringify(backend)}` };
  if (device !== undefined && (typeof device !== 'number' || !Number.isInteger(device) || device < 0)) return { ok: false, reason: `device must be a non-negative integer, got ${JSON.stringify(device)}` };
  if (modelRef !== undefined && typeof modelRef !== 'string') return { ok: false, reason: 'model_ref must be a string' };
  if (workerId !== undefined && (typeof workerId !== 'string' || !/^[\w.:-]{1,200}$/.test(workerId))) return { ok: false, reason: 'worker_id must be 1–200 letters, digits, or . _ : -' };
  if (profile !== undefined && typeof profile !== 'string') return { ok: false, reason: 'profile must be a string' };
  if (command !== undefined && (!Array.isArray(command) || command.length === 0 || !command.every((word) => typeof word === 'string'))) return { ok: false, reason: 'command must be a non-empty array of strings (an argv template)' };
  return {
    ok: true,
    request: {
      modelPath,
      modelRef: modelRef ?? modelPath,
      backend,
      device: device ?? 0,
      ...(workerId === undefined ? {} : { workerId }),
      ...(profile === undefined ? {} : { profile }),
      ...(command === undefined ? {} : { command: command as string[] }),
    },
  };
}
