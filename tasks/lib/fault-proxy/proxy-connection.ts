import type { Socket } from 'node:net';
import type { Direction, Fault } from './fault-spec.ts';

/** Why one side of a proxied connection ended, as the proxy saw it. */
export interface SideEnd {
  side: 'client' | 'target';
  how: 'fin' | 'reset' | 'error' | 'closed';
  monoMs: number;
  detail?: string;
}

/** Bytes a black hole swallowed in one direction, and when they arrived. */
export interface SwallowedChunk {
  monoMs: number;
  bytes: Buffer;
}

const SWALLOW_KEPT = 64 * 1024;

interface Lane {
  fault: Fault;
  /** Bytes forwarded so far in this direction. */
  bytes: number;
  /** Bytes swallowed by a black hole. */
  swallowed: number;
  /** What a black hole swallowed, with when (the first 64 KiB): the signs a side gave into a dead path. */
  swallowedChunks: SwallowedChunk[];
  /** For close-after: bytes still allowed. */
  budget: number;
  /** For latency: when the last delayed chunk goes out, so order is kept. */
  lastDueMs: number;
  pendingEnd: boolean;
  inFlight: number;
}

type Trigger = (connection: ProxyConnection, direction: Direction, description: string) => void;

/**
 * One client connection and its connection to the target. Each direction has its own fault,
 * switchable while the connection is open. A black-holed direction forwards neither data nor
 * FIN/RST, so the other side sees a healthy but silent TCP connection.
 */
export class ProxyConnection {
  readonly openedMonoMs = performance.now();
  readonly ends: SideEnd[] = [];
  readonly #lanes: Record<Direction, Lane>;
  #destroyed = false;
  /** Called (in a microtask) when bytes came through, and when the connection ended. */
  readonly #onChange: () => void;

  constructor(
    readonly id: number,
    readonly client: Socket,
    readonly target: Socket,
    initial: Record<Direction, Fault>,
    readonly onTrigger: Trigger,
    onChange: () => void,
  ) {
    const lane = (fault: Fault): Lane => ({ fault, bytes: 0, swallowed: 0, swallowedChunks: [], budget: fault.kind === 'close-after' ? fault.bytes : 0, lastDueMs: 0, pendingEnd: false, inFlight: 0 });
    this.#lanes = { up: lane(initial.up), down: lane(initial.down) };
    this.#onChange = onChange;
    this.#wire(client, target, 'up');
    this.#wire(target, client, 'down');
  }

  get closed(): boolean {
    return this.#destroyed;
  }

  faultOf(direction: Direction): Fault {
    return this.#lanes[direction].fault;
  }

  bytes(direction: Direction): { forwarded: number; swallowed: number } {
    return { forwarded: this.#lanes[direction].bytes, swallowed: this.#lanes[direction].swallowed };
  }

  /** The bytes a black hole swallowed in `direction`, in order, with their arrival times (the first 64 KiB). */
  swallowedChunks(direction: Direction): readonly SwallowedChunk[] {
    return this.#lanes[direction].swallowedChunks;
  }

  /** The first time the client side ended (FIN, RST or error), if it has. */
  clientEnd(): SideEnd | undefined {
    return this.ends.find((end) => end.side === 'client');
  }

  /** The first time the target side ended (FIN, RST or error), if it has: what a black-holed client never sees. */
  targetEnd(): SideEnd | undefined {
    return this.ends.find((end) => end.side === 'target');
  }

  setFault(direction: Direction, fault: Fault): void {
    const lane = this.#lanes[direction];
    lane.fault = fault;
    lane.budget = fault.kind === 'close-after' ? fault.bytes : 0;
    if (fault.kind === 'close-after' && fault.bytes === 0) this.#closeBoth(direction, 'close after 0 bytes');
  }

  /** Ends both sockets gracefully (FIN) and releases them. */
  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.client.destroy();
    this.target.destroy();
    this.#onChange();
  }

  #wire(from: Socket, to: Socket, direction: Direction): void {
    const side = direction === 'up' ? 'client' : 'target';
    from.on('data', (chunk: Buffer) => this.#forward(to, direction, chunk));
    from.on('end', () => {
      this.#note(side, 'fin');
      const lane = this.#lanes[direction];
      if (lane.fault.kind === 'blackhole') return; // the stale path: no FIN reaches the other side
      if (lane.inFlight > 0) lane.pendingEnd = true;
      else to.end();
    });
    from.on('error', (error: NodeJS.ErrnoException) => {
      this.#note(side, error.code === 'ECONNRESET' ? 'reset' : 'error', error.code ?? error.message);
    });
    from.on('close', () => {
      this.#note(side, 'closed');
      const lane = this.#lanes[direction];
      if (lane.fault.kind === 'blackhole') return; // no RST either
      if (lane.inFlight > 0) {
        lane.pendingEnd = true;
        return;
      }
      if (!to.destroyed) to.end();
      if (from.destroyed && to.destroyed) this.destroy();
    });
    to.on('close', () => {
      if (from.destroyed && to.destroyed) this.destroy();
    });
  }

  #note(side: 'client' | 'target', how: SideEnd['how'], detail?: string): void {
    if (this.ends.some((end) => end.side === side && end.how === how)) return;
    this.ends.push({ side, how, monoMs: performance.now(), ...(detail ? { detail } : {}) });
  }

  #forward(to: Socket, direction: Direction, chunk: Buffer): void {
    queueMicrotask(this.#onChange); // listeners see the bytes once they are handled
    const lane = this.#lanes[direction];
    const fault = lane.fault;
    switch (fault.kind) {
      case 'blackhole':
        if (lane.swallowed < SWALLOW_KEPT) lane.swallowedChunks.push({ monoMs: performance.now(), bytes: Buffer.from(chunk) });
        lane.swallowed += chunk.length;
        return;
      case 'reset-on-data':
        lane.swallowed += chunk.length;
        this.onTrigger(this, direction, `reset both sides on ${chunk.length} bytes ${direction}`);
        this.#destroyed = true;
        this.client.resetAndDestroy();
        this.target.resetAndDestroy();
        this.#onChange();
        return;
      case 'close-after': {
        const allowed = Math.min(lane.budget, chunk.length);
        if (allowed > 0 && !to.destroyed) to.write(chunk.subarray(0, allowed));
        lane.bytes += allowed;
        lane.budget -= allowed;
        lane.swallowed += chunk.length - allowed;
        if (lane.budget <= 0) this.#closeBoth(direction, `closed both sides after ${fault.bytes} bytes ${direction}`);
        return;
      }
      case 'latency': {
        const due = Math.max(performance.now() + fault.ms + Math.random() * (fault.jitterMs ?? 0), lane.lastDueMs);
        lane.lastDueMs = due;
        lane.inFlight += 1;
        setTimeout(() => {
          lane.inFlight -= 1;
          if (!to.destroyed && lane.fault.kind !== 'blackhole') {
            to.write(chunk);
            lane.bytes += chunk.length;
          } else lane.swallowed += chunk.length;
          if (lane.inFlight === 0 && lane.pendingEnd && !to.destroyed) to.end();
        }, Math.max(0, due - performance.now()));
        return;
      }
      case 'none':
        if (!to.destroyed) to.write(chunk);
        lane.bytes += chunk.length;
    }
  }

  #closeBoth(direction: Direction, description: string): void {
    if (this.#destroyed) return;
    this.onTrigger(this, direction, description);
    this.#destroyed = true;
    this.client.end();
    this.target.end();
    const release = (): void => {
      this.client.destroy();
      this.target.destroy();
    };
    setTimeout(release, 1000).unref();
    this.#onChange();
  }
}
