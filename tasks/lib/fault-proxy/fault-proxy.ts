import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { HarnessError } from '../errors/harness-error.ts';
import { currentTimeline, type Timeline } from '../report/timeline.ts';
import type { FaultEvent } from './fault-event.ts';
import { describeFault, directionsOf, type Direction, type DirectionChoice, type Fault } from './fault-spec.ts';
import { ProxyConnection } from './proxy-connection.ts';

export interface FaultProxyOptions {
  /** Names the proxy in events and the timeline: `baseline`, `canary`. */
  name: string;
  targetHost?: string;
  targetPort: number;
  /** Listen port; 0 (default) picks a free one. Always 127.0.0.1. */
  port?: number;
}

export interface ProxyCounts {
  accepted: number;
  refused: number;
  open: number;
  bytesUp: number;
  bytesDown: number;
  swallowedUp: number;
  swallowedDown: number;
}

const NO_FAULT: Fault = { kind: 'none' };

/**
 * A loopback TCP proxy in front of one target. Faults are set per direction, for every open
 * connection or one of them, and switch at once on connections that are already open; a fault
 * set for all connections also applies to the ones that open later until it is cleared. Every
 * fault it sets or fires is kept in `events` and recorded on the run timeline (lane `faults`).
 */
export class FaultProxy implements AsyncDisposable {
  readonly events: FaultEvent[] = [];
  readonly connections: ProxyConnection[] = [];
  readonly #server: Server;
  readonly #options: FaultProxyOptions;
  readonly #timeline: Timeline = currentTimeline();
  readonly #defaults: Record<Direction, Fault> = { up: NO_FAULT, down: NO_FAULT };
  readonly #listeners = new Set<(connection: ProxyConnection) => void>();
  readonly #changeListeners = new Set<() => void>();
  #refusing = false;
  #refused = 0;
  #nextId = 1;

  private constructor(server: Server, options: FaultProxyOptions) {
    this.#server = server;
    this.#options = options;
    server.on('connection', (client) => this.#accept(client));
  }

  static async start(options: FaultProxyOptions): Promise<FaultProxy> {
    const server = createServer({ allowHalfOpen: true, noDelay: true });
    const proxy = new FaultProxy(server, options);
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) =>
        reject(new HarnessError('PROXY_LISTEN_FAILED', `fault proxy ${options.name} could not listen on 127.0.0.1:${options.port ?? 0} (${error.code ?? error.message})`, { kind: 'environment' })),
      );
      server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    return proxy;
  }

  get name(): string {
    return this.#options.name;
  }

  get port(): number {
    const address = this.#server.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  get target(): string {
    return `${this.#options.targetHost ?? '127.0.0.1'}:${this.#options.targetPort}`;
  }

  /** Connections still open, oldest first. */
  open(): ProxyConnection[] {
    return this.connections.filter((connection) => !connection.closed);
  }

  latest(): ProxyConnection | undefined {
    return this.connections[this.connections.length - 1];
  }

  /** Calls `listener` for every connection accepted from now on; returns an unsubscribe. */
  onConnection(listener: (connection: ProxyConnection) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Calls `listener` whenever bytes went through a connection or one ended; returns an unsubscribe. */
  subscribe(listener: () => void): () => void {
    this.#changeListeners.add(listener);
    return () => this.#changeListeners.delete(listener);
  }

  /**
   * Applies `fault` in `direction` to one connection (`connection` id), or to every open one and
   * to later ones (no id). `{ kind: 'none' }` clears.
   */
  setFault(fault: Fault, options: { direction?: DirectionChoice; connection?: number } = {}): void {
    const direction = options.direction ?? 'both';
    const targets = options.connection === undefined ? this.open() : this.connections.filter((connection) => connection.id === options.connection);
    if (options.connection !== undefined && targets.length === 0) throw new HarnessError('PROXY_NO_CONNECTION', `fault proxy ${this.name} has no connection #${options.connection}`);
    for (const lane of directionsOf(direction)) {
      if (options.connection === undefined) this.#defaults[lane] = fault;
      for (const connection of targets) connection.setFault(lane, fault);
    }
    const scope = options.connection === undefined ? 'all connections' : `connection #${options.connection}`;
    this.#record({ action: fault.kind === 'none' ? 'clear' : 'set', fault, direction, ...(options.connection === undefined ? {} : { connection: options.connection }), description: `${describeFault(fault)} ${direction === 'both' ? 'both ways' : direction}, ${scope}` });
  }

  clear(): void {
    this.setFault(NO_FAULT);
  }

  /** New connections are reset at once (RST) while on; open ones are untouched. */
  refuse(on: boolean): void {
    this.#refusing = on;
    this.#record({ action: on ? 'refuse-on' : 'refuse-off', description: on ? 'refuse new connections' : 'accept new connections' });
  }

  counts(): ProxyCounts {
    const sum = (direction: Direction, key: 'forwarded' | 'swallowed'): number => this.connections.reduce((total, connection) => total + connection.bytes(direction)[key], 0);
    return {
      accepted: this.connections.length,
      refused: this.#refused,
      open: this.open().length,
      bytesUp: sum('up', 'forwarded'),
      bytesDown: sum('down', 'forwarded'),
      swallowedUp: sum('up', 'swallowed'),
      swallowedDown: sum('down', 'swallowed'),
    };
  }

  #accept(client: Socket): void {
    if (this.#refusing) {
      this.#refused += 1;
      this.#record({ action: 'refused', description: 'refused a new connection (RST)' });
      client.on('error', () => undefined);
      client.resetAndDestroy();
      return;
    }
    client.setNoDelay(true);
    const target = createConnection({ host: this.#options.targetHost ?? '127.0.0.1', port: this.#options.targetPort, allowHalfOpen: true, noDelay: true });
    client.pause();
    target.once('connect', () => client.resume());
    const id = this.#nextId;
    this.#nextId += 1;
    const connection = new ProxyConnection(
      id,
      client,
      target,
      { ...this.#defaults },
      (which, direction, description) => this.#record({ action: 'triggered', connection: which.id, direction, fault: which.faultOf(direction), description }),
      () => {
        for (const listener of this.#changeListeners) listener();
      },
    );
    this.connections.push(connection);
    for (const listener of this.#listeners) listener(connection);
  }

  #record(event: Omit<FaultEvent, 'at' | 'monoMs' | 'proxy'>): void {
    const full: FaultEvent = { at: new Date().toISOString(), monoMs: performance.now(), proxy: this.name, ...event };
    this.events.push(full);
    this.#timeline.record({
      lane: 'faults',
      kind: 'fault',
      label: `${this.name}: ${event.description}`,
      status: event.action === 'clear' || event.action === 'refuse-off' ? 'info' : 'warn',
      atMs: this.#timeline.at(full.monoMs),
      detail: { proxy: this.name, action: event.action, ...(event.connection === undefined ? {} : { connection: event.connection }), ...(event.direction ? { direction: event.direction } : {}), ...(event.fault ? { fault: event.fault } : {}) },
    });
  }

  /** Events on the run's clock, for report.json. */
  eventsForReport(): Array<Omit<FaultEvent, 'monoMs'> & { atMs: number }> {
    return this.events.map(({ monoMs, ...rest }) => ({ ...rest, atMs: Math.round(this.#timeline.at(monoMs) * 10) / 10 }));
  }

  async close(): Promise<void> {
    for (const connection of this.connections) connection.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
