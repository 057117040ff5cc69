/**
 * undici, loaded on first use rather than at start-up: a run spawns its worker before the first
 * probe, so the ~100 ms the import takes overlaps the worker's own start instead of delaying it.
 */
let loading: Promise<typeof import('undici')> | undefined;

export function loadUndici(): Promise<typeof import('undici')> {
  loading ??= import('undici');
  return loading;
}
