import { mkdir, readFile, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { type HttpBindings, serve } from '@hono/node-server';
import { ApiKeyStore } from '../auth/api-keys.ts';
import { EventService } from '../events/event-service.ts';
import { createApp } from '../http/app.ts';
import { problem, statusTitle } from '../http/problem.ts';
import { createLogger, type Logger } from '../platform/logger.ts';
import { loadSeedOnce } from '../seed/load-seed.ts';
import type { Table } from '../store/dynamo.ts';
import { EventRepository } from '../store/event-repository.ts';
import { IdempotencyStore } from '../store/idempotency-store.ts';
import type { LocalConfig } from './config.ts';
import { createLocalAlerts } from './local-alerts.ts';
import { type LocalStore, openLocalStore, recordRunningServer } from './local-store.ts';
import { StartupError } from './startup-error.ts';
import { loadOrCreateTokenKey } from './token-key.ts';

export interface LocalRuntime {
  url: string;
  adminKey: string;
  /** Set when this start created the admin key (the one start that prints it in full). */
  adminKeyCreated: boolean;
  /** Where the admin key is kept: DATELINE_ADMIN_KEY, or the path of the data dir's admin-key file. */
  adminKeySource: string;
  seeded: number;
  table: Table;
  logger: Logger;
  stop(): Promise<void>;
}

/** Starts Dateline on one machine: embedded dynalite, the HTTP app, the change feed and the delivery worker. */
export async function startLocalRuntime(
  config: LocalConfig,
  logger = createLogger({ service: 'dateline', level: config.logLevel }),
): Promise<LocalRuntime> {
  // Listen first: a busy port fails before the data dir is touched (no admin key is made that the
  // failed start could not show), and with PORT=0 the links in mails can only name the port once
  // the server has it. Until the app is ready it answers 503.
  let serveApp: ((request: Request, env: unknown) => Response | Promise<Response>) | undefined;
  const server = await listen(config, (request, env) => serveApp?.(request, env));
  const closeServer = () => new Promise<void>((resolve) => server.close(() => resolve()));

  let store: LocalStore | undefined;
  try {
    store = await openLocalStore(config.dataDir);
    const { table } = store;
    const tokenKey = await loadOrCreateTokenKey(config.dataDir);
    if (!config.smtpUrl) await mkdir(join(config.dataDir, 'outbox'), { recursive: true, mode: 0o700 });

    const apiKeys = new ApiKeyStore(table);
    const { adminKey, created } = await ensureAdminKey(apiKeys, config);

    const { port } = server.address() as AddressInfo;
    const url = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}`;
    const publicUrl = config.publicUrl ?? `http://localhost:${port}`;

    const alerts = createLocalAlerts({ ...config, publicUrl }, table, async () => tokenKey, logger);
    const events = new EventService({
      table,
      // One process writes the table: a created event's timeline items go in batches.
      events: new EventRepository(table, { batchCreates: true }),
      idempotency: new IdempotencyStore(table),
      onChange: alerts.nudgeFeed,
      logger,
    });
    const seeded = config.seed ? await loadSeedOnce(table, events) : 0;
    alerts.start();

    const app = createApp(
      {
        events,
        apiKeys,
        tokenKey: async () => tokenKey,
        logger,
        publicUrl,
        subscriptions: { service: async () => alerts.subscriptions },
      },
      // No gateway in front: the app answers CORS as the stack's default (no corsOrigins) does.
      { corsOrigins: [] },
    );
    serveApp = (request, env) => app.fetch(request, env);
    const forgetServer = await recordRunningServer(config.dataDir, url);

    const opened = store;
    let stopping: Promise<void> | undefined;
    const stop = () => {
      stopping ??= (async () => {
        // Stop taking requests, let the loops finish their round, then close the store.
        await closeServer();
        await alerts.stop();
        await forgetServer();
        await opened.close();
      })();
      return stopping;
    };
    return {
      url,
      adminKey,
      adminKeyCreated: created,
      adminKeySource: config.adminKey ? 'DATELINE_ADMIN_KEY' : join(config.dataDir, 'admin-key'),
      seeded,
      table,
      logger,
      stop,
    };
  } catch (error) {
    await closeServer();
    await store?.close().catch(() => {});
    throw error;
  }
}

/** Starts the HTTP server; a port that cannot be had is a StartupError saying why. */
async function listen(
  config: LocalConfig,
  fetch: (request: Request, env: unknown) => Response | Promise<Response> | undefined,
): Promise<Server> {
  return new Promise<Server>((resolve, reject) => {
    const server = serve(
      {
        fetch: async (request, env) => {
          const response = await (fetch(request, env) ?? starting());
          closeIfBodyUnread(env as HttpBindings);
          return response;
        },
        port: config.port,
        hostname: config.host,
      },
      () => {
        server.off('error', failed);
        resolve(server as Server);
      },
    );
    const failed = (error: NodeJS.ErrnoException) => reject(listenError(config, error));
    server.once('error', failed);
    server.on('clientError', answerClientError);
  });
}

/** What Node's parser refuses before the app sees a request, as status and problem slug. */
/**
 * An answer given before the request's body was read (a 413 on a 2 MB upload, a 401 before the
 * body is looked at) ends the connection: Node would otherwise keep it for the client's next
 * request while the unread body is still arriving, and that request fails ("other side closed").
 * `Connection: close` tells the client not to reuse it (RFC 9112 §9.6).
 */
function closeIfBodyUnread({ incoming, outgoing }: HttpBindings): void {
  if (!incoming.complete && !outgoing.headersSent) outgoing.setHeader('connection', 'close');
}

/** What a request gets before the app is ready: 503 as problem+json, like every other answer. */
const starting = () =>
  new Response(JSON.stringify(problem(503, 'starting', 'The server is starting; try again in a moment')), {
    status: 503,
    headers: { 'content-type': 'application/problem+json', 'retry-after': '1' },
  });

const clientErrors: Record<string, [status: number, slug: string, detail: string]> = {
  HPE_HEADER_OVERFLOW: [431, 'headers-too-large', 'The request headers are larger than the server accepts'],
  HPE_INVALID_METHOD: [501, 'method-not-implemented', 'The request method is not one the server knows'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'request-timeout', 'The request took too long to arrive'],
};

/**
 * Node answers a request its parser refuses (431, a malformed request line, an unknown method)
 * with a bare status line; this answers it as the API answers everything, with problem+json, and
 * closes the connection, which cannot be read further.
 */
function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (error.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
    socket.destroy();
    return;
  }
  const [status, slug, detail] = clientErrors[error.code ?? ''] ?? [
    400,
    'malformed-request',
    'The request is not valid HTTP/1.1',
  ];
  const body = JSON.stringify(problem(status, slug, detail));
  socket.end(
    `HTTP/1.1 ${status} ${statusTitle(status)}\r\n` +
      'content-type: application/problem+json\r\n' +
      `content-length: ${Buffer.byteLength(body)}\r\n` +
      'connection: close\r\n\r\n' +
      body,
  );
}

function listenError(config: LocalConfig, error: NodeJS.ErrnoException): Error {
  const where = `${config.host}:${config.port}`;
  switch (error.code) {
    case 'EADDRINUSE':
      return new StartupError(
        `port ${config.port} on ${config.host} is in use by another process: stop it, or set PORT to another port (PORT=0 picks a free one)`,
      );
    case 'EACCES':
      return new StartupError(`not allowed to listen on ${where}: set PORT to 1024 or above`);
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new StartupError(`cannot listen on ${where}: HOST is not an address of this machine`);
    default:
      return new StartupError(`cannot listen on ${where}: ${error.message}`);
  }
}

/** The admin key: DATELINE_ADMIN_KEY when set, else one created on first start and kept in the data dir. */
async function ensureAdminKey(
  apiKeys: ApiKeyStore,
  config: LocalConfig,
): Promise<{ adminKey: string; created: boolean }> {
  if (config.adminKey) {
    await apiKeys.ensure(config.adminKey, { name: 'admin (DATELINE_ADMIN_KEY)', scopes: ['admin'] });
    return { adminKey: config.adminKey, created: false };
  }
  const path = join(config.dataDir, 'admin-key');
  try {
    return { adminKey: (await readFile(path, 'utf8')).trim(), created: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const { key } = await apiKeys.create({ name: 'admin (first start)', scopes: ['admin'] });
  await writeFile(path, key, { mode: 0o600 });
  return { adminKey: key, created: true };
}
