import type { ReportJson } from '../../tasks/lib/report/run-report.ts';

/**
 * The pids a run started under guards named `name` (the timeline's `process:<name>` lanes; a
 * second guard of the same name gets the lane `process:<name>-2`, and so on), in start order.
 */
export function startedPids(report: ReportJson, name: string): number[] {
  const lane = new RegExp(`^process:${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(-\\d+)?$`);
  return report.timeline.events.filter((event) => lane.test(event.lane) && event.label.startsWith('started pid ')).map((event) => Number(event.label.slice('started pid '.length)));
}

/** Pids whose process group (a guard's own group: pgid = pid) still has a live process. */
export function liveGroups(pids: readonly number[]): number[] {
  return pids.filter((pid) => {
    try {
      process.kill(-pid, 0);
      return true;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'EPERM';
    }
  });
}
