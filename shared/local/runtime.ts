import { readFile, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { ApiKeyStore } from '../auth/api-keys.ts';
import { EventService } from '../events/event-service.ts';
import { createApp } from '../http/app.ts';
import { createLogger, type Logger } from '../platform/logger.ts';
import { loadSeedOnce } from '../seed/load-seed.ts';
import type { Table } from '../store/dynamo.ts';
import { EventRepository } from '../store/event-repository.ts';
import { IdempotencyStore } from '../store/idempotency-store.ts';
import type { LocalConfig } from './config.ts';
import { createLocalAlerts } from './local-alerts.ts';
import { openLocalStore, recordRunningServer } from './local-store.ts';
import { loadOrCreateTokenKey } from './token-key.ts';

export interface LocalRuntime {
  url: string;
  adminKey: string;
  /** Set when this start created the admin key (it is printed once). */
  adminKeyCreated: boolean;
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
  const store = await openLocalStore(config.dataDir);
  const { table } = store;
  const tokenKey = await loadOrCreateTokenKey(config.dataDir);

  const apiKeys = new ApiKeyStore(table);
  const { adminKey, created } = await ensureAdminKey(apiKeys, config);

  // Listen first: with PORT=0 the links in mails can only name the port once the server has it.
  let serveApp: ((request: Request, env: unknown) => Response | Promise<Response>) | undefined;
  const server = await new Promise<Server>((resolve) => {
    const started = serve(
      {
        fetch: (request, env) => serveApp?.(request, env) ?? new Response('Starting', { status: 503 }),
        port: config.port,
        hostname: config.host,
      },
      () => resolve(started as Server),
    );
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}`;
  const publicUrl = config.publicUrl ?? `http://localhost:${port}`;

  const alerts = createLocalAlerts({ ...config, publicUrl }, table, async () => tokenKey, logger);
  const events = new EventService({
    table,
    events: new EventRepository(table),
    idempotency: new IdempotencyStore(table),
    onChange: alerts.nudgeFeed,
  });
  const seeded = config.seed ? await loadSeedOnce(table, events) : 0;
  alerts.start();

  const app = createApp({
    events,
    apiKeys,
    tokenKey: async () => tokenKey,
    logger,
    publicUrl,
    subscriptions: { service: async () => alerts.subscriptions },
  });
  serveApp = (request, env) => app.fetch(request, env);
  const forgetServer = await recordRunningServer(config.dataDir, url);

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      // Stop taking requests, let the loops finish their round, then close the store.
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await alerts.stop();
      await forgetServer();
      await store.close();
    })();
    return stopping;
  };
  return { url, adminKey, adminKeyCreated: created, seeded, table, logger, stop };
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
