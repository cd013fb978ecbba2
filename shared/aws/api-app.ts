import type { DeliveryQueue } from '../alerts/fanout.ts';
import { ApiKeyStore } from '../auth/api-keys.ts';
import type { MailTransport } from '../delivery/email/transport.ts';
import { EventService } from '../events/event-service.ts';
import { createApp } from '../http/app.ts';
import { createLogger } from '../platform/logger.ts';
import { onceRetrying } from '../platform/once-retrying.ts';
import { createTable } from '../store/dynamo.ts';
import { EventRepository } from '../store/event-repository.ts';
import { IdempotencyStore } from '../store/idempotency-store.ts';
import { readAwsConfig, required } from './config.ts';
import { secretsManagerTokenKey } from './token-key.ts';

/** The API as it runs on Lambda: the shared app over the deployed table, keys from Secrets Manager. */
export function createLambdaApp(env: NodeJS.ProcessEnv = process.env) {
  const config = readAwsConfig(env);
  const table = createTable({ tableName: config.tableName });
  const logger = createLogger({ service: 'dateline-api', level: config.logLevel });
  const tokenKey = secretsManagerTokenKey(required(env, 'TOKEN_SECRET_ARN'));
  const alerts = onceRetrying(async () => {
    const { wireAlertServices } = await import('./alerts-pipeline.ts');
    return wireAlertServices({
      config,
      table,
      logger,
      queue: lazySqsDeliveryQueue(required(env, 'DELIVERY_QUEUE_URL')),
      mail: () => noMailFromApi,
      tokenKey,
    }).subscriptions;
  });
  return createApp({
    events: new EventService({
      table,
      events: new EventRepository(table),
      idempotency: new IdempotencyStore(table),
      logger,
    }),
    apiKeys: new ApiKeyStore(table),
    tokenKey,
    logger,
    ...(config.publicUrl ? { publicUrl: config.publicUrl } : {}),
    subscriptions: {
      // The alert services load and are wired on the first subscription request (a chunk of
      // their own), over the function's table client, logger and cached token key; the SQS client
      // loads on the first enqueue. The API never sends mail itself (the delivery function does,
      // from the queue), so nodemailer and SES stay out of its bundle.
      service: alerts,
    },
  });
}

/**
 * The SQS delivery queue, with the SQS client and its SDK module loaded on the first enqueue
 * rather than at init: timeline requests never enqueue. (A dynamic import that reached the
 * DynamoDB SDK would make esbuild wrap it for lazy evaluation, and a wrapped SDK package index
 * evaluates every command it exports; the SQS client shares nothing with it but the SDK core,
 * which the SDK's lazily loaded credential providers have wrapped already.)
 */
function lazySqsDeliveryQueue(queueUrl: string): DeliveryQueue {
  const queue = onceRetrying(async () => {
    const [sdk, { sqsDeliveryQueue }] = await Promise.all([
      import('@aws-sdk/client-sqs'),
      import('./sqs-queue.ts'),
    ]);
    return sqsDeliveryQueue(new sdk.SQSClient({}), queueUrl);
  });
  return { enqueue: async (refs, fresh) => (await queue()).enqueue(refs, fresh) };
}

/** Subscription requests only record and enqueue mail; sending is the delivery function's job. */
const noMailFromApi: MailTransport = {
  send: async () => {
    throw new Error('the API function does not send mail; deliveries go through the delivery queue');
  },
};
