/**
 * Epoch milliseconds of a `performance.now()` reading, comparable with another process's wall-clock
 * stamps (a training server's `updated_at`). `performance.timeOrigin` is the wall clock read once,
 * when this process started: a step of the wall clock since (NTP, a VM descheduled on a busy host)
 * moves `timeOrigin + now` away from what a server's `Date.now()` says. Seen in a long Cucumber run
 * beside two busy loops: every message "arrived" 2.4 s before the server stamped it; in vitest
 * workers minutes old, 80–126 ms (the two clocks also drift apart). The current skew is applied
 * when the two disagree by more than `STEP_MS`; below that the sub-millisecond reading is kept (a
 * fresh Node process already has them ~1.2 ms apart, and Date.now() truncates).
 */
export const STEP_MS = 2;

export function epochOf(atMs: number, wallNow = Date.now(), monoNow = performance.now()): number {
  const skew = wallNow - (performance.timeOrigin + monoNow);
  return performance.timeOrigin + atMs + (Math.abs(skew) <= STEP_MS ? 0 : skew);
}
