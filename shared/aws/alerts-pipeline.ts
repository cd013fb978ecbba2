import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DeliverDeps } from '../alerts/deliver.ts';
import type { DeliveryQueue, FanoutContinuations, FanoutDeps } from '../alerts/fanout.ts';
import { ReplayService } from '../alerts/replay.ts';
import { SubscriptionService } from '../alerts/subscription-service.ts';
import type { MailTransport } from '../delivery/email/transport.ts';
import { defaultResolver } from '../delivery/ssrf-guard.ts';
import type { Logger } from '../platform/logger.ts';
import { createMetrics } from '../platform/metrics.ts';
import { DeliveryRepository } from '../store/delivery-repository.ts';
import type { Table } from '../store/dynamo.ts';
import { EventRepository } from '../store/event-repository.ts';
import { SubscriptionRepository } from '../store/subscription-repository.ts';
import type { AwsConfig } from './config.ts';

export interface AwsAlerts {
  config: AwsConfig;
  table: Table;
  logger: Logger;
  sqs: SQSClient;
  queueUrl: string;
  fanout: FanoutDeps;
  deliver: DeliverDeps;
  subscriptions: SubscriptionService;
}

export interface AlertWiring {
  config: AwsConfig;
  table: Table;
  logger: Logger;
  /** Where deliveries are announced (SQS on AWS). */
  queue: DeliveryQueue;
  /** Where a fan-out that runs short of time goes on (the fan-out and sweep functions). */
  continuations?: FanoutContinuations;
  /** The mail transport the function sends through; receives the sender address. */
  mail: (mailFrom: string) => MailTransport;
  tokenKey: () => Promise<Uint8Array>;
}

/**
 * Wires the alert pipeline's services (fan-out, delivery, subscriptions) over a table and a
 * delivery queue. It builds no AWS client and imports no SDK client module, so the API function
 * can bundle it without evaluating the SQS SDK at init (and without the SES transport and
 * nodemailer: the mail transport is the caller's). The alert functions wire it in alerts-runtime.ts.
 */
export function wireAlertServices(
  wiring: AlertWiring,
): Pick<AwsAlerts, 'fanout' | 'deliver' | 'subscriptions'> {
  const { config, table, logger, queue } = wiring;
  const subscriptionRepository = new SubscriptionRepository(table);
  const deliveries = new DeliveryRepository(table);
  const mailFrom = config.mailFrom ?? 'alerts@example.com';
  const deliver: DeliverDeps = {
    subscriptions: subscriptionRepository,
    deliveries,
    mail: wiring.mail(mailFrom),
    mailFrom,
    publicUrl: (config.publicUrl ?? '').replace(/\/$/, ''),
    tokenKey: wiring.tokenKey,
    resolve: defaultResolver,
    allowLoopbackWebhooks: config.allowLoopbackWebhooks,
    retrySchedule: config.retrySchedule,
    logger,
    metrics: createMetrics({ namespace: config.metricsNamespace }),
  };
  const fanout: FanoutDeps = {
    table,
    events: new EventRepository(table),
    subscriptions: subscriptionRepository,
    deliveries,
    queue,
    logger,
    ...(wiring.continuations ? { continuations: wiring.continuations } : {}),
  };
  return {
    fanout,
    deliver,
    subscriptions: new SubscriptionService({
      subscriptions: subscriptionRepository,
      deliveries,
      queue,
      deliver,
      replays: new ReplayService({ table, deliveries, queue }),
    }),
  };
}
