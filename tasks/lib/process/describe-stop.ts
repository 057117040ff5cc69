import type { StopReport } from './process-guard.ts';
import { formatDuration } from '../time/format-duration.ts';

/** How teardown went, in words that do not blame the harness for a signal someone else sent. */
export function describeStop(stop: StopReport): string {
  const exit = stop.exit ? (stop.exit.signal ? `ended by ${stop.exit.signal}` : `exited with code ${stop.exit.code}`) : 'exit not seen';
  let how: string;
  if (stop.signal === 'none' || stop.exitedBeforeStop) how = `had already ${stop.exit ? exit.replace(/^ended/, 'been ended').replace(/^exited/, 'exited') : 'exited'} before teardown${stop.exit?.signal === 'SIGKILL' ? ' (not by the harness)' : ''}`;
  else if (stop.signal === 'SIGTERM' && stop.exit?.signal === 'SIGKILL') how = `SIGTERM → ${exit} in ${formatDuration(stop.durationMs)} (the harness sent no SIGKILL: something else did)`;
  else if (stop.signal === 'SIGKILL') how = `SIGTERM, no exit within the grace → SIGKILL → ${exit} in ${formatDuration(stop.durationMs)}`;
  else how = `${stop.signal} → ${exit} in ${formatDuration(stop.durationMs)}`;
  return `${how}; no process of its group left`;
}
