import { SQSClient } from '@aws-sdk/client-sqs';
import type { DeliverDeps } from '../alerts/deliver.ts';
import type { FanoutDeps } from '../alerts/fanout.ts';
import { SubscriptionService } from '../alerts/subscription-service.ts';
import type { MailTransport } from '../delivery/email/transport.ts';
import { defaultRetrySchedule } from '../delivery/retry-schedule.ts';
import { defaultResolver } from '../delivery/ssrf-guard.ts';
import { createLogger, type Logger } from '../platform/logger.ts';
import { createMetrics } from '../platform/metrics.ts';
import { DeliveryRepository } from '../store/delivery-repository.ts';
import { createTable, type Table } from '../store/dynamo.ts';
import { EventRepository } from '../store/event-repository.ts';
import { SubscriptionRepository } from '../store/subscription-repository.ts';
import { type AwsConfig, readAwsConfig, required } from './config.ts';
import { sqsDeliveryQueue } from './sqs-queue.ts';
import { secretsManagerTokenKey } from './token-key.ts';

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

/**
 * Wires the alert pipeline for a Lambda function from its environment, with the mail transport
 * the function sends through (`mail` receives the sender address). Kept apart from the SES
 * transport so that a function which never sends mail (the API) does not bundle nodemailer and SES.
 */
export function wireAwsAlerts(
  service: string,
  env: NodeJS.ProcessEnv,
  mail: (mailFrom: string) => MailTransport,
  /** What the calling function already built (the API's table client and cached token key), to reuse rather than build twice. */
  shared: { table?: Table; tokenKey?: () => Promise<Uint8Array>; logger?: Logger } = {},
): AwsAlerts {
  const config = readAwsConfig(env);
  const queueUrl = required(env, 'DELIVERY_QUEUE_URL');
  const table = shared.table ?? createTable({ tableName: config.tableName });
  const logger = shared.logger ?? createLogger({ service, level: config.logLevel });
  const sqs = new SQSClient({});
  const queue = sqsDeliveryQueue(sqs, queueUrl);
  const subscriptionRepository = new SubscriptionRepository(table);
  const deliveries = new DeliveryRepository(table);
  const mailFrom = config.mailFrom ?? 'alerts@example.com';
  const deliver: DeliverDeps = {
    subscriptions: subscriptionRepository,
    deliveries,
    mail: mail(mailFrom),
    mailFrom,
    publicUrl: (config.publicUrl ?? '').replace(/\/$/, ''),
    tokenKey:
      shared.tokenKey ??
      (config.tokenSecretArn ? secretsManagerTokenKey(config.tokenSecretArn) : missingSecret),
    resolve: defaultResolver,
    allowLoopbackWebhooks: false,
    retrySchedule: defaultRetrySchedule,
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
  };
  return {
    config,
    table,
    logger,
    sqs,
    queueUrl,
    fanout,
    deliver,
    subscriptions: new SubscriptionService({
      subscriptions: subscriptionRepository,
      deliveries,
      queue,
      deliver,
    }),
  };
}

async function missingSecret(): Promise<Uint8Array> {
  throw new Error('Missing environment variable TOKEN_SECRET_ARN');
}
