import { join } from 'node:path';
import { drainChangeFeed } from '../alerts/change-feed.ts';
import type { DeliverDeps } from '../alerts/deliver.ts';
import { type DigestUnit, runDigests } from '../alerts/digest-run.ts';
import type { DeliveryQueue, FanoutDeps } from '../alerts/fanout.ts';
import { ReplayService } from '../alerts/replay.ts';
import { SubscriptionService } from '../alerts/subscription-service.ts';
import { createMailTransport } from '../delivery/email/transport.ts';
import { defaultResolver } from '../delivery/ssrf-guard.ts';
import type { Logger } from '../platform/logger.ts';
import { createMetrics } from '../platform/metrics.ts';
import { DeliveryRepository } from '../store/delivery-repository.ts';
import type { Table } from '../store/dynamo.ts';
import { EventRepository } from '../store/event-repository.ts';
import { SubscriptionRepository } from '../store/subscription-repository.ts';
import { BackgroundLoop } from './background-loop.ts';
import type { LocalConfig } from './config.ts';
import { createDeliveryWorker } from './delivery-worker.ts';

/** The alert pipeline on one machine: the same fan-out and delivery code, fed by two background loops. */
export function createLocalAlerts(
  config: LocalConfig & { publicUrl: string },
  table: Table,
  tokenKey: () => Promise<Uint8Array>,
  logger: Logger,
) {
  // Every subscription write of the local runtime goes through this one repository, so it may cache.
  const subscriptions = new SubscriptionRepository(table, { cacheMs: 30_000 });
  // Likewise every delivery record is written here (one change feed, one worker), so records and
  // attempts are written in batches.
  const deliveries = new DeliveryRepository(table, { singleWriter: true });
  let worker: BackgroundLoop | undefined;
  let deliveryWorker: ReturnType<typeof createDeliveryWorker> | undefined;
  const queue: DeliveryQueue = {
    enqueue: async (refs, fresh) => {
      if (fresh?.length) deliveryWorker?.handOver(fresh);
      if (refs.length > (fresh?.length ?? 0)) deliveryWorker?.expectDue();
      worker?.nudge();
    },
    reserve: (deliveryIds) => deliveryWorker?.reserve(deliveryIds) ?? (() => {}),
  };

  const fanout: FanoutDeps = {
    table,
    events: new EventRepository(table),
    subscriptions,
    deliveries,
    queue,
    logger,
  };
  const deliver: DeliverDeps = {
    subscriptions,
    deliveries,
    mail: createMailTransport(
      config.smtpUrl ? { smtpUrl: config.smtpUrl } : { outboxDir: join(config.dataDir, 'outbox') },
    ),
    mailFrom: config.mailFrom,
    publicUrl: config.publicUrl,
    tokenKey,
    resolve: defaultResolver,
    allowLoopbackWebhooks: config.allowLoopbackWebhooks,
    ...(config.webhookTimeoutMs ? { webhookTimeoutMs: config.webhookTimeoutMs } : {}),
    retrySchedule: config.retrySchedule,
    logger,
    metrics: createMetrics({
      namespace: 'Dateline',
      write: (line) => logger.debug('metrics', { emf: line }),
    }),
  };
  const feed = new BackgroundLoop(
    'change feed',
    async () => (await drainChangeFeed(fanout, { limit: 25 })).events > 0,
    logger,
  );
  deliveryWorker = createDeliveryWorker(deliver);
  worker = new BackgroundLoop('delivery worker', deliveryWorker.deliverDue, logger);
  const digests = new BackgroundLoop(
    'digests',
    digestRound({ table, subscriptions, deliveries, queue, logger }),
    logger,
    DIGEST_CHECK_MS,
  );

  return {
    subscriptions: new SubscriptionService({
      subscriptions,
      deliveries,
      queue,
      deliver,
      replays: new ReplayService({ table, deliveries, queue }),
    }),
    nudgeFeed: () => feed.nudge(),
    start() {
      feed.start();
      worker!.start();
      digests.start();
    },
    async stop() {
      await feed.stop();
      await digests.stop();
      await worker!.stop();
    },
  };
}

/** How often the local runtime looks for digest periods that have ended (the AWS schedule runs hourly). */
const DIGEST_CHECK_MS = 60_000;
/** Periods one round sends at most; a round that leaves some goes on at once from where it stopped. */
const DIGEST_ROUND_PERIODS = 1_000;

/**
 * One round of the digest run on the local timer: periods that ended by now, at most `maxPeriods`
 * of them; a round that stops short answers true, and the next goes on from the shards' cursors.
 */
export function digestRound(
  deps: Parameters<typeof runDigests>[0],
  options: { maxPeriods?: number; clock?: () => Date } = {},
): () => Promise<boolean> {
  let units: DigestUnit[] | undefined;
  return async () => {
    const result = await runDigests(deps, {
      now: (options.clock ?? (() => new Date()))(),
      maxPeriods: options.maxPeriods ?? DIGEST_ROUND_PERIODS,
      ...(units ? { units } : {}),
    });
    units = result.remaining.length > 0 ? result.remaining : undefined;
    return units !== undefined;
  };
}
