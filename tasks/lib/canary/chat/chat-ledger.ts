import type { WebSocket } from 'ws';
import { v4 as uuidv4 } from 'uuid';
import { currentTimeline, type Timeline } from '../../report/timeline.ts';

/** One WebSocket connection between the harness and a subject (whichever side opened it). */
export interface ChatConnection {
  no: number;
  ws: WebSocket;
  openedMs: number;
  closedMs?: number;
  closeCode?: number;
  /** The closing handshake completed (1000–4999 both ways), so what was sent on it counts as delivered. */
  cleanClose?: boolean;
  /** The harness has started to close it: no new message goes on it. */
  closing?: boolean;
}

/** A message the harness sent to the subject, and when (if) the subject answered it. */
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

/** Which unanswered messages go out again on a new connection. */
export type Redelivery =
  /** those whose connection did not close cleanly (a clean close means they were delivered) */
  | 'unless-clean-close'
  /** every unanswered one (at least once, whatever the close) */
  | 'all-unanswered';

/**
 * The harness's side of the documented chat protocol, whichever end listens: one JSON object
 * per text frame; the harness sends `{"type":"message","id","text"}`, the subject answers
 * `{"type":"reply","id","text"}`. Keeps every connection and message with its timings, notifies
 * subscribers on each change (connection opened or closed, reply received), and records the
 * frames on the run timeline (lane `ws:<name>`).
 */
export class ChatLedger {
  readonly connections: ChatConnection[] = [];
  readonly messages = new Map<string, ChatMessage>();
  readonly #listeners = new Set<() => void>();
  readonly #timeline: Timeline = currentTimeline();
  readonly #lane: string;

  constructor(
    readonly name: string,
    /** Names the subject in timeline labels: `bot`, `service`. */
    readonly peer: string,
    readonly redelivery: Redelivery,
  ) {
    this.#lane = `ws:${name}`;
  }

  /** Subscribes to every change; returns an unsubscribe. */
  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The newest connection that is still open (and that the harness is not closing). */
  current(): ChatConnection | undefined {
    for (let i = this.connections.length - 1; i >= 0; i -= 1) {
      const connection = this.connections[i] as ChatConnection;
      if (connection.closedMs === undefined && !connection.closing) return connection;
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

  /** Closes a connection from the harness side with a closing handshake. */
  closeConnection(connection: ChatConnection, code = 1012, reason = 'service restart'): void {
    this.note(`harness closes #${connection.no} (${code})`, 'info');
    connection.closing = true;
    connection.ws.close(code, reason);
  }

  /** Drops a connection without a closing handshake (a dead path the harness gives up on), so no later probe or sample uses it. */
  drop(connection: ChatConnection): void {
    if (connection.closedMs !== undefined) return;
    this.note(`harness drops #${connection.no}`, 'warn');
    connection.closing = true;
    connection.ws.terminate();
  }

  note(label: string, status: 'ok' | 'info' | 'warn', detail?: Record<string, unknown>): void {
    this.#timeline.record({ lane: this.#lane, kind: 'frame', label, status, ...(detail ? { detail } : {}) });
  }

  #deliver(message: ChatMessage, connection: ChatConnection): void {
    message.deliveredOn.push(connection.no);
    connection.ws.send(JSON.stringify({ type: 'message', id: message.id, text: message.text }));
    this.note(`message → #${connection.no}${message.deliveredOn.length > 1 ? ' (redelivered)' : ''}`, 'info', { id: message.id });
  }

  /** Starts keeping an open WebSocket: replies, its close, and redelivery of what is unanswered. */
  protected track(ws: WebSocket): ChatConnection {
    const connection: ChatConnection = { no: this.connections.length + 1, ws, openedMs: performance.now() };
    this.connections.push(connection);
    this.note(`${this.peer} connected #${connection.no}`, 'ok');
    ws.on('message', (data, isBinary) => {
      if (!isBinary) this.#onReply(String(data), connection);
    });
    ws.on('error', () => undefined);
    ws.on('close', (code) => {
      connection.closedMs = performance.now();
      connection.closeCode = code;
      connection.cleanClose = code !== 1006;
      this.note(`#${connection.no} closed (${code})`, code === 1006 ? 'warn' : 'info');
      this.changed();
    });
    for (const message of this.unanswered()) {
      const last = this.connections[(message.deliveredOn.at(-1) ?? 0) - 1];
      if (last === connection) continue;
      if (last && this.redelivery === 'unless-clean-close' && last.cleanClose) continue;
      this.#deliver(message, connection);
    }
    this.changed();
    return connection;
  }

  #onReply(text: string, connection: ChatConnection): void {
    let reply: { type?: unknown; id?: unknown; text?: unknown };
    try {
      reply = JSON.parse(text);
    } catch {
      return;
    }
    if (reply.type !== 'reply' || typeof reply.id !== 'string') return;
    const message = this.messages.get(reply.id);
    if (!message || message.answeredMs !== undefined) return;
    message.answeredMs = performance.now();
    message.answeredOn = connection.no;
    message.replyText = typeof reply.text === 'string' ? reply.text : '';
    this.note(`reply ← #${connection.no} after ${Math.round(message.answeredMs - message.sentMs)} ms`, 'ok', { id: message.id });
    this.changed();
  }

  protected changed(): void {
    for (const listener of this.#listeners) listener();
  }
}
