import type { Fault } from './fault-spec.ts';

/** One thing the proxy did to the traffic, on the run's clock and the wall clock. */
export interface FaultEvent {
  /** ISO wall time. */
  at: string;
  /** performance.now() when it happened. */
  monoMs: number;
  proxy: string;
  /** `set` a fault, `clear`ed, `triggered` (a reset or close actually fired), `refused` a connection. */
  action: 'set' | 'clear' | 'triggered' | 'refused' | 'refuse-on' | 'refuse-off';
  connection?: number;
  direction?: 'up' | 'down' | 'both';
  fault?: Fault;
  description: string;
}
