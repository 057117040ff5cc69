/**
 * `1234` → `1.23 s`, `12` → `12 ms`, `75_000` → `1 min 15 s`. The unit is chosen after rounding,
 * so a value just under a boundary never prints as `1000 ms`, `60.00 s` or `1 min 60 s`.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return `${ms} ms`;
  if (Math.round(ms) < 1000) return `${Math.round(ms)} ms`;
  const centiseconds = Math.round(ms / 10);
  if (centiseconds < 6000) return `${(centiseconds / 100).toFixed(2)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}
