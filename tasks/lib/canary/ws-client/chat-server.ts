import { WebSocketServer } from 'ws';
import { HarnessError } from '../../errors/harness-error.ts';
import { ChatLedger } from '../chat/chat-ledger.ts';

export type { ChatConnection, ChatMessage } from '../chat/chat-ledger.ts';

/**
 * The chat service a bot under test connects to (the harness side of `--kind ws-client`), at
 * `/chat`. Delivery is at least once: when the bot opens a new connection, messages that are
 * still unanswered and whose connection did not close cleanly (still open, or dropped) are sent
 * again on it. A message sent on a cleanly closed connection counts as delivered; the bot answers
 * on whichever connection it has open.
 */
export class ChatServer extends ChatLedger implements AsyncDisposable {
  readonly #server: WebSocketServer;

  private constructor(server: WebSocketServer, name: string) {
    super(name, 'bot', 'unless-clean-close');
    this.#server = server;
    server.on('connection', (ws) => this.track(ws));
  }

  static async start(name: string): Promise<ChatServer> {
    // permessage-deflate is never accepted (a bot offering it gets plain frames): the proxy reads close frames.
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/chat', perMessageDeflate: false });
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

  async close(): Promise<void> {
    for (const client of this.#server.clients) client.terminate();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
