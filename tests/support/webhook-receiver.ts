import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface ReceivedWebhook {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** How the receiver answers: a status (with optional headers), or `slow` (answers 200 only after `delayMs`). */
export type ReceiverAnswer =
  | { status: number; headers?: Record<string, string> }
  | { slow: true; delayMs: number };

export interface WebhookReceiver {
  /** `http://127.0.0.1:<port>/hooks/<name>` */
  url: string;
  port: number;
  received: ReceivedWebhook[];
  /** Sets the answer for every following request. */
  answer(answer: ReceiverAnswer | number): void;
  /** Requests that carried this `webhook-id`. */
  withId(id: string): ReceivedWebhook[];
  /** Waits until `count` requests matching `predicate` arrived (polling, with a deadline). */
  waitFor(
    predicate: (request: ReceivedWebhook) => boolean,
    count?: number,
    timeoutMs?: number,
  ): Promise<ReceivedWebhook[]>;
  /** Stops listening (connections are refused) until `start()`, which listens on the same port again. */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

function flatten(headers: IncomingHttpHeaders): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [
      name,
      Array.isArray(value) ? value.join(', ') : (value ?? ''),
    ]),
  );
}

/** A real HTTP server on loopback that records every request and answers as told (200 by default). */
export async function startWebhookReceiver(name = 'dateline'): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  let current: ReceiverAnswer = { status: 200 };
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let server: Server | undefined;
  let port = 0;

  const listen = async () => {
    const created = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({
          method: req.method ?? '',
          path: req.url ?? '',
          headers: flatten(req.headers),
          body: Buffer.concat(chunks).toString('utf8'),
        });
        const answer = current;
        if ('slow' in answer) {
          const timer = setTimeout(() => {
            timers.delete(timer);
            res.writeHead(200).end('late');
          }, answer.delayMs);
          timers.add(timer);
          return;
        }
        res.writeHead(answer.status, answer.headers).end(answer.status < 300 ? 'ok' : 'no');
      });
    });
    created.on('connection', (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      created.once('error', reject);
      created.listen(port, '127.0.0.1', () => resolve());
    });
    port = (created.address() as AddressInfo).port;
    server = created;
  };
  const stop = async () => {
    const running = server;
    server = undefined;
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
    for (const socket of sockets) socket.destroy();
    if (running) await new Promise<void>((resolve) => running.close(() => resolve()));
  };

  await listen();
  return {
    url: `http://127.0.0.1:${port}/hooks/${name}`,
    port,
    received,
    answer(answer) {
      current = typeof answer === 'number' ? { status: answer } : answer;
    },
    withId: (id) => received.filter((request) => request.headers['webhook-id'] === id),
    async waitFor(predicate, count = 1, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const matching = received.filter(predicate);
        if (matching.length >= count) return matching;
        if (Date.now() > deadline) {
          throw new Error(`webhook receiver got ${matching.length} of ${count} expected requests`);
        }
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    stop,
    start: () => (server ? Promise.resolve() : listen()),
    close: stop,
  };
}

/** The Standard Webhooks headers of a received request, as `standardwebhooks` wants them. */
export function signatureHeaders(request: ReceivedWebhook): Record<string, string> {
  return {
    'webhook-id': request.headers['webhook-id'] ?? '',
    'webhook-timestamp': request.headers['webhook-timestamp'] ?? '',
    'webhook-signature': request.headers['webhook-signature'] ?? '',
  };
}
