import WebSocket from 'ws';
import { shutdownAbortSignal } from '../../process/guard-registry.ts';
import { ChatLedger } from '../chat/chat-ledger.ts';

const RETRY_MS = 50;

/**
 * The harness as a client of a chat service (`--kind ws-server`): keeps one connection to `url`,
 * and like a careful client reconnects whenever it closes (every 50 ms while the service is
 * unreachable) and sends every unanswered message again on the new connection (at least once,
 * same id). It sends no pings of its own: noticing a dead client is the service's job under test.
 * It offers no compression (permessage-deflate), so what passes the proxy is what was sent.
 */
export class ChatClient extends ChatLedger {
  #stopped = true;
  #retry: NodeJS.Timeout | undefined;
  #attempt: WebSocket | undefined;
  /** Connection attempts that failed (refused, rejected handshake). */
  failedAttempts = 0;
  lastFailure: string | undefined;

  constructor(
    name: string,
    readonly url: string,
  ) {
    super(name, 'service', 'all-unanswered');
  }

  start(): void {
    this.#stopped = false;
    this.#connect();
  }

  #connect(): void {
    if (this.#stopped || this.#attempt || this.current() || shutdownAbortSignal().aborted) return; // Ctrl-C: no new connection
    // No permessage-deflate offered: the frames at the proxy are then the frames sent (the probes count
    // a burst's bytes and read close frames there); a service that would compress sends them plain.
    const ws = new WebSocket(this.url, { handshakeTimeout: 5000, perMessageDeflate: false });
    this.#attempt = ws;
    let opened = false;
    ws.on('open', () => {
      opened = true;
      this.#attempt = undefined;
      this.track(ws);
    });
    ws.on('unexpected-response', (_request, response) => {
      this.lastFailure = `handshake answered HTTP ${response.statusCode}`;
      ws.terminate();
    });
    ws.on('error', (error) => {
      if (!opened) this.lastFailure = error.message;
    });
    ws.on('close', () => {
      if (!opened) {
        this.#attempt = undefined;
        this.failedAttempts += 1;
        this.changed();
      }
      if (!this.#stopped) this.#retry = setTimeout(() => this.#connect(), RETRY_MS);
    });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#retry);
    this.#attempt?.terminate();
    for (const connection of this.connections) if (connection.closedMs === undefined) connection.ws.terminate();
  }
}
