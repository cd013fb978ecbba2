import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { verifyWebhook } from '../../shared/delivery/webhook-signature.ts';

/**
 * A webhook receiver on 127.0.0.1 that records what it gets: every attempt, the distinct
 * `webhook-id`s delivered, and for each event the ids it arrived under. `behave` decides per
 * attempt: answer with a status, hang past the sender's timeout, or reset the connection.
 */
export type Behaviour = { status: number } | { hang: true } | { reset: true };

export interface Delivery {
  id: string;
  type: string;
  eventId?: string;
  body: string;
  valid: boolean;
}

export interface Receiver {
  url: string;
  /** Attempts seen (including failed ones), by webhook-id. */
  attempts: Map<string, number>;
  /** Deliveries answered 2xx, by webhook-id (first one kept). */
  delivered: Map<string, Delivery>;
  /** webhook-ids seen per event id (all attempts). */
  idsByEvent: Map<string, Set<string>>;
  /** Signatures that did not verify (with the secrets given). */
  invalid: number;
  /** Resolves once `count` distinct deliveries were answered 2xx (or rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs: number): Promise<void>;
  setSecrets(secrets: string[]): void;
  setBehaviour(behave: (request: { id: string; attempt: number }) => Behaviour): void;
  close(): Promise<void>;
}

export async function startReceiver(
  options: { secrets?: string[]; verify?: boolean; port?: number } = {},
): Promise<Receiver> {
  let secrets = options.secrets ?? [];
  let behave: (request: { id: string; attempt: number }) => Behaviour = () => ({ status: 204 });
  const attempts = new Map<string, number>();
  const delivered = new Map<string, Delivery>();
  const idsByEvent = new Map<string, Set<string>>();
  const sockets = new Set<Socket>();
  const waiters: { count: number; resolve: () => void }[] = [];
  let invalid = 0;

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const id = String(req.headers['webhook-id'] ?? '');
      const attempt = (attempts.get(id) ?? 0) + 1;
      attempts.set(id, attempt);
      let parsed: { type?: string; data?: { event?: { id?: string } } } = {};
      try {
        parsed = JSON.parse(body);
      } catch {
        // recorded as invalid below
      }
      const eventId = parsed.data?.event?.id;
      if (eventId) {
        const ids = idsByEvent.get(eventId) ?? new Set<string>();
        idsByEvent.set(eventId, ids);
        ids.add(id);
      }
      const outcome = behave({ id, attempt });
      if ('reset' in outcome) {
        req.socket.destroy();
        return;
      }
      if ('hang' in outcome) return; // the sender's timeout ends it; closed with the server
      if (outcome.status >= 200 && outcome.status < 300 && !delivered.has(id)) {
        const valid =
          options.verify === false || secrets.length === 0
            ? true
            : verifyWebhook({
                body,
                headers: req.headers as Record<string, string>,
                secrets,
                now: new Date(),
              }).valid;
        if (!valid) invalid++;
        delivered.set(id, { id, type: parsed.type ?? '?', ...(eventId ? { eventId } : {}), body, valid });
        for (const waiter of [...waiters]) {
          if (delivered.size >= waiter.count) {
            waiters.splice(waiters.indexOf(waiter), 1);
            waiter.resolve();
          }
        }
      }
      res.writeHead(outcome.status, { 'content-type': 'text/plain' }).end('ok');
    });
  };

  const server: Server = createServer(handle);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/dateline`,
    attempts,
    delivered,
    idsByEvent,
    get invalid() {
      return invalid;
    },
    waitFor(count, timeoutMs) {
      if (delivered.size >= count) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const waiter = {
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`receiver got ${delivered.size} of ${count} deliveries in ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.push(waiter);
      });
    },
    setSecrets(next) {
      secrets = next;
    },
    setBehaviour(next) {
      behave = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
