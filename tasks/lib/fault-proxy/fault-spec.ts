/**
 * The faults the proxy can apply to a connection, per direction. `up` is client → target
 * (the subject's bot towards the harness, or the harness towards a service); `down` the reverse.
 */
export type Direction = 'up' | 'down';
export type DirectionChoice = Direction | 'both';

export type Fault =
  | { kind: 'none' }
  /** Delay every chunk by `ms` plus a uniform random 0..`jitterMs`; order is kept. */
  | { kind: 'latency'; ms: number; jitterMs?: number }
  /** Swallow everything, forward no FIN and no RST: the stale path. */
  | { kind: 'blackhole' }
  /** The next chunk in this direction resets both sides (RST) instead of being forwarded. */
  | { kind: 'reset-on-data' }
  /** Forward `bytes` more bytes in this direction, then close both sides (FIN). */
  | { kind: 'close-after'; bytes: number };

export function describeFault(fault: Fault): string {
  switch (fault.kind) {
    case 'none':
      return 'no fault';
    case 'latency':
      return `latency ${fault.ms} ms${fault.jitterMs ? ` ± ${fault.jitterMs} ms jitter` : ''}`;
    case 'blackhole':
      return 'black hole (swallow, no FIN/RST)';
    case 'reset-on-data':
      return 'reset on next data';
    case 'close-after':
      return `close after ${fault.bytes} bytes`;
  }
}

export function directionsOf(choice: DirectionChoice): Direction[] {
  return choice === 'both' ? ['up', 'down'] : [choice];
}
