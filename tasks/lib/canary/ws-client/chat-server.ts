import { WebSocketServer, type WebSocket } from 'ws';
import { v4 as uuidv4 } from 'uuid';
import { HarnessError } from '../../errors/harness-error.ts';
import { currentTimeline, type Timeline } from '../../report/timeline.ts';

/** One WebSocket connection a bot opened to the chat service. */
export interface ChatConnection {
  no: number;
  ws: WebSocket;
  openedMs: number;
  closedMs?: number;
  closeCode?: number;
  /** The closing handshake completed (1000–4999 both ways), so what was sent on it counts as delivered. */
  cleanClose?: boolean;
}

/** A message the service sent to the bot, and when (if) the bot answered it. */
export interface ChatMessage {
  id: string;
  text: string;
  sentMs: number;
  /** Connection numbers it was written to (more than one when it was redelivered). */
  deliveredOn: number[];
  answeredMs?: number;
  answeredOn?: number;
  replyText?: string;
}

/**
 * The chat service a bot under test connects to (the harness side of `--kind ws-client`).
 * Protocol, one JSON object per text frame: the service sends `{"type":"message","id","text"}`,
 * the bot answers `{"type":"reply","id","text"}` on whichever connection it has open.
 * Delivery is at least once: when the bot opens a new connection, messages that are still
 * unanswered and whose connection did not close cleanly (still open, or dropped) are sent again
 * on it. A message sent on a cleanly closed connection counts as delivered.
 */
export class ChatServer implements AsyncDisposable {
  readonly connections: ChatConnection[] = [];
  readonly messages = new Map<string, ChatMessage>();
  readonly #server: WebSocketServer;
  readonly #listeners = new Set<() => void>();
  readonly #timeline: Timeline = currentTimeline();
  readonly #lane: string;

  private constructor(server: WebSocketServer, readonly name: string) {
    this.#server = server;
    this.#lane = `ws:${name}`;
    server.on('connection', (ws) => this.#accept(ws));
  }

  static async start(name: string): Promise<ChatServer> {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/chat' });
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', (error) => reject(new HarnessError('CHAT_LISTEN_FAILED', `chat service ${name} could not listen: ${error.message}`, { kind: 'environment' })));
    });
    return new ChatServer(server, name);
  }

  get port(): number {
    const address = this.#server.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  /** Subscribes to every change (connection opened or closed, reply received). */
  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The newest connection that is still open. */
  current(): ChatConnection | undefined {
    for (let i = this.connections.length - 1; i >= 0; i -= 1) {
      const connection = this.connections[i] as ChatConnection;
      if (connection.closedMs === undefined) return connection;
    }
    return undefined;
  }

  /** Sends a message on the newest open connection (or holds it for the next one). */
  send(text: string): ChatMessage {
    const message: ChatMessage = { id: uuidv4(), text, sentMs: performance.now(), deliveredOn: [] };
    this.messages.set(message.id, message);
    const connection = this.current();
    if (connection) this.#deliver(message, connection);
    return message;
  }

  unanswered(): ChatMessage[] {
    return [...this.messages.values()].filter((message) => message.answeredMs === undefined);
  }

  /** Closes the connection from the service side with a closing handshake. */
  closeConnection(connection: ChatConnection, code = 1012, reason = 'service restart'): void {
    this.#timeline.record({ lane: this.#lane, kind: 'frame', label: `service closes #${connection.no} (${code})`, status: 'info' });
    connection.ws.close(code, reason);
  }

  #deliver(message: ChatMessage, connection: ChatConnection): void {
    message.deliveredOn.push(connection.no);
    connection.ws.send(JSON.stringify({ type: 'message', id: message.id, text: message.text }));
    this.#timeline.record({ lane: this.#lane, kind: 'frame', label: `message → #${connection.no}${message.deliveredOn.length > 1 ? ' (redelivered)' : ''}`, status: 'info', detail: { id: message.id } });
  }

  #accept(ws: WebSocket): void {
    const connection: ChatConnection = { no: this.connections.length + 1, ws, openedMs: performance.now() };
    this.connections.push(connection);
    this.#timeline.record({ lane: this.#lane, kind: 'frame', label: `bot connected #${connection.no}`, status: 'ok' });
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      let reply: { type?: unknown; id?: unknown; text?: unknown };
      try {
        reply = JSON.parse(String(data));
      } catch {
        return;
      }
      if (reply.type !== 'reply' || typeof reply.id !== 'string') return;
      const message = this.messages.get(reply.id);
      if (!message || message.answeredMs !== undefined) return;
      message.answeredMs = performance.now();
      message.answeredOn = connection.no;
      message.replyText = typeof reply.text === 'string' ? reply.text : '';
      this.#timeline.record({ lane: this.#lane, kind: 'frame', label: `reply ← #${connection.no} after ${Math.round(message.answeredMs - message.sentMs)} ms`, status: 'ok', detail: { id: message.id } });
      this.#changed();
    });
    ws.on('error', () => undefined);
    ws.on('close', (code) => {
      connection.closedMs = performance.now();
      connection.closeCode = code;
      connection.cleanClose = code !== 1006;
      this.#timeline.record({ lane: this.#lane, kind: 'frame', label: `#${connection.no} closed (${code})`, status: code === 1006 ? 'warn' : 'info' });
      this.#changed();
    });
    for (const message of this.unanswered()) {
      const last = this.connections[(message.deliveredOn.at(-1) ?? 0) - 1];
      if (last && (last === connection || last.cleanClose)) continue;
      this.#deliver(message, connection);
    }
    this.#changed();
  }

  #changed(): void {
    for (const listener of this.#listeners) listener();
  }

  async close(): Promise<void> {
    for (const client of this.#server.clients) client.terminate();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
