import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import type { DeliverDeps } from '../../shared/alerts/deliver.ts';
import { SubscriptionService } from '../../shared/alerts/subscription-service.ts';
import { ApiKeyStore } from '../../shared/auth/api-keys.ts';
import { createOutboxTransport } from '../../shared/delivery/email/transport.ts';
import { defaultRetrySchedule } from '../../shared/delivery/retry-schedule.ts';
import { EventService } from '../../shared/events/event-service.ts';
import { createApp } from '../../shared/http/app.ts';
import { startDynalite } from '../../shared/local/dynalite-server.ts';
import { createLogger } from '../../shared/platform/logger.ts';
import { createMetrics } from '../../shared/platform/metrics.ts';
import { ensureTable } from '../../shared/store/create-table.ts';
import { DeliveryRepository } from '../../shared/store/delivery-repository.ts';
import { createTable } from '../../shared/store/dynamo.ts';
import { EventRepository } from '../../shared/store/event-repository.ts';
import { IdempotencyStore } from '../../shared/store/idempotency-store.ts';
import { SubscriptionRepository } from '../../shared/store/subscription-repository.ts';
import { prefersHtml } from '../../shared/web/register-pages.ts';
import { randomEventInput, rng } from '../lib/fixtures.ts';
import { type FuzzPools, requestArbitrary } from './fuzz-arbitraries.ts';
import { Checks, envInt, type Scenario } from './harness.ts';

/**
 * 10,000 generated requests against the app (the real createApp over dynalite, with the
 * subscription routes): valid-ish and broken event bodies, query strings, headers, random bytes,
 * random paths and methods. No 5xx; every 4xx is application/problem+json — except the pages
 * people open from mail links (confirm, unsubscribe), which answer a bad link with an HTML page,
 * and any answer to a client whose Accept ranks text/html first (a browser gets an error page).
 *
 * No request leaves the machine: webhook hosts resolve through a stub (names do not resolve,
 * `localhost` is 127.0.0.1), generated URLs never carry a public address literal, and nothing
 * delivers in the background.
 */
const HTML_PAGES = /^\/(v1\/subscriptions\/confirm|v1\/unsubscribe|subscribe)$/;

export const fuzzScenario: Scenario = {
  name: 'fuzz: 10,000 generated requests',
  timeoutMs: 300_000,
  async run() {
    const runs = envInt('RELIABILITY_FUZZ_RUNS', 10_000);
    const checks = new Checks();
    const dynamo = await startDynalite();
    const outbox = await mkdtemp(join(tmpdir(), 'dateline-fuzz-'));
    const table = createTable({ tableName: 'dateline', endpoint: dynamo.endpoint, region: 'local' });
    const unexpected: string[] = [];
    const logger = createLogger({
      service: 'fuzz',
      level: 'error',
      write: (line) => unexpected.push(line.slice(0, 600)),
    });
    try {
      await ensureTable(table.client as unknown as DynamoDBClient, 'dateline');
      const tokenKey = randomBytes(32);
      const subscriptions = new SubscriptionRepository(table);
      const deliveries = new DeliveryRepository(table);
      const deliver: DeliverDeps = {
        subscriptions,
        deliveries,
        mail: createOutboxTransport(outbox),
        mailFrom: 'Dateline <alerts@localhost>',
        publicUrl: 'http://localhost:3000',
        tokenKey: async () => tokenKey,
        resolve: async (host) => {
          if (host === 'localhost') return ['127.0.0.1'];
          throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
        },
        allowLoopbackWebhooks: true,
        webhookTimeoutMs: 500,
        retrySchedule: defaultRetrySchedule,
        logger,
        metrics: createMetrics({ namespace: 'Dateline', write: () => {} }),
      };
      const service = new SubscriptionService({
        subscriptions,
        deliveries,
        queue: { enqueue: async () => {} },
        deliver,
      });
      const apiKeys = new ApiKeyStore(table);
      const app = createApp({
        events: new EventService({
          table,
          events: new EventRepository(table),
          idempotency: new IdempotencyStore(table),
        }),
        apiKeys,
        tokenKey: async () => tokenKey,
        logger,
        publicUrl: 'http://localhost:3000',
        subscriptions: { service: async () => service },
      });
      const pools: FuzzPools = {
        keys: [
          (await apiKeys.create({ name: 'fuzz admin', scopes: ['admin'] })).key,
          (await apiKeys.create({ name: 'fuzz writer', scopes: ['events:write'] })).key,
          (await apiKeys.create({ name: 'fuzz subscriber', scopes: ['subscriptions:write'] })).key,
        ],
        eventIds: [],
        subscriptions: [],
        deliveryIds: [],
        cursors: [],
        validEvent: (() => {
          const random = rng(3);
          return () => ({ ...randomEventInput(random) });
        })(),
      };
      // A few real things to aim at, so ids, tokens, ETags and cursors in requests can be valid.
      for (let i = 0; i < 5; i++) {
        const response = await app.request('/v1/events', {
          method: 'POST',
          headers: { authorization: `Bearer ${pools.keys[0]}`, 'content-type': 'application/json' },
          body: JSON.stringify(pools.validEvent()),
        });
        pools.eventIds.push(((await response.json()) as { id: string }).id);
      }
      const page = (await (await app.request('/v1/events?limit=2')).json()) as { nextCursor: string };
      pools.cursors.push(page.nextCursor);
      for (let i = 0; i < 3; i++) {
        const response = await app.request('/v1/subscriptions', {
          method: 'POST',
          headers: { authorization: `Bearer ${pools.keys[0]}`, 'content-type': 'application/json' },
          body: JSON.stringify({ channel: 'webhook', url: 'http://127.0.0.1:9/hooks' }),
        });
        const body = (await response.json()) as { id: string; token: string };
        pools.subscriptions.push({ id: body.id, token: body.token });
      }

      const statusCounts = new Map<number, number>();
      const failures: string[] = [];
      let sent = 0;
      await fc.assert(
        fc.asyncProperty(requestArbitrary(pools), async (generated) => {
          sent++;
          let request: Request;
          try {
            request = new Request(`http://localhost:3000${generated.path}`, generated.init);
          } catch {
            return true; // not a request an HTTP stack would let through (e.g. a body on GET)
          }
          const response = await app.request(request);
          const body = await response.arrayBuffer();
          statusCounts.set(response.status, (statusCounts.get(response.status) ?? 0) + 1);
          const contentType = response.headers.get('content-type') ?? '';
          const described = `${generated.init.method} ${generated.path.slice(0, 120)} → ${response.status} ${contentType}: ${Buffer.from(body).toString('utf8').slice(0, 200)}`;
          if (response.status >= 500) failures.push(described);
          else if (response.status >= 400) {
            const pathname = new URL(request.url).pathname;
            // An HTML error page where the client asked for one (a browser's Accept) or on a page.
            const page =
              contentType.startsWith('text/html') &&
              (HTML_PAGES.test(pathname) ||
                prefersHtml(request.headers.get('accept') ?? undefined, pathname));
            if (!page && !contentType.startsWith('application/problem+json')) failures.push(described);
          }
          // Remember what was made, so later requests can aim at it.
          if (response.status === 201 && contentType.startsWith('application/json')) {
            const made = JSON.parse(Buffer.from(body).toString('utf8')) as { id?: string; token?: string };
            if (made.id && made.token) pools.subscriptions.push({ id: made.id, token: made.token });
            else if (made.id && pools.eventIds.length < 200) pools.eventIds.push(made.id);
          }
          return true;
        }),
        { numRuns: runs, seed: 20240628, endOnFailure: false },
      );
      checks.check(
        failures.length === 0,
        `${failures.length} bad answers; first: ${failures.slice(0, 3).join('  ||  ')}`,
      );
      const crashes = unexpected.filter((line) => line.includes('unhandled error'));
      checks.check(
        crashes.length === 0,
        `${crashes.length} unhandled errors logged; first: ${crashes[0] ?? ''}`,
      );
      const summary = [...statusCounts]
        .sort((a, b) => a[0] - b[0])
        .map(([status, count]) => `${status}×${count}`);
      return checks.result(`${sent} requests: ${summary.join(' ')}`);
    } finally {
      table.client.destroy();
      await dynamo.close();
      await rm(outbox, { recursive: true, force: true });
    }
  },
};
