/** A small in-test hive: records every POST it gets, with its arrival time. */
import { EventEmitter } from 'node:events';
import { createServer, type Server } from 'node:http';
import getPort from 'get-port';
import type { ExitWatch } from '../../tasks/lib/wait-strategies/wait-for.ts';
import { waitForEvent } from '../../tasks/lib/wait-strategies/wait-for.ts';

export interface ReceivedPost {
  path: string;
  body: Record<string, unknown>;
  /** performance.now() at arrival. */
  atMs: number;
}

export class HeartbeatReceiver implements AsyncDisposable {
  readonly posts: ReceivedPost[];
  readonly url: string;
  readonly #server: Server;
  readonly #events: EventEmitter;

  private constructor(server: Server, port: number, posts: ReceivedPost[], events: EventEmitter) {
    this.#server = server;
    this.url = `http://127.0.0.1:${port}`;
    this.posts = posts;
    this.#events = events;
  }

  static async start(): Promise<HeartbeatReceiver> {
    const port = await getPort({ host: '127.0.0.1' });
    const posts: ReceivedPost[] = [];
    const events = new EventEmitter();
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const atMs = performance.now();
        let body: Record<string, unknown>;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
        } catch {
          res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"bad json"}');
          return;
        }
        posts.push({ path: req.url ?? '', body, atMs });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
        events.emit('post');
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    return new HeartbeatReceiver(server, port, posts, events);
  }

  /** Resolves once the posts satisfy `enough`; event-driven, bounded, fails if the worker exits. */
  async waitUntil(enough: (posts: readonly ReceivedPost[]) => boolean, description: string, options: { timeoutMs?: number; failFastOn?: readonly ExitWatch[] } = {}): Promise<readonly ReceivedPost[]> {
    const outcome = await waitForEvent<ReceivedPost[]>(
      () => (enough(this.posts) ? { ready: true, value: [...this.posts] } : { ready: false, observed: `${this.posts.length} post(s): ${this.posts.map((post) => JSON.stringify(post.body)).slice(-3).join(' ')}` }),
      (onChange) => {
        this.#events.on('post', onChange);
        return () => this.#events.off('post', onChange);
      },
      { description, timeoutMs: options.timeoutMs ?? 15_000, failFastOn: options.failFastOn ?? [] },
    );
    return outcome.value;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

/** Gaps between consecutive arrival times, in ms. */
export function gaps(posts: readonly ReceivedPost[]): number[] {
  return posts.slice(1).map((post, index) => post.atMs - (posts[index] as ReceivedPost).atMs);
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}
