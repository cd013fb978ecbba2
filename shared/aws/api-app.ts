import { ApiKeyStore } from '../auth/api-keys.ts';
import type { MailTransport } from '../delivery/email/transport.ts';
import { EventService } from '../events/event-service.ts';
import { createApp } from '../http/app.ts';
import { createLogger } from '../platform/logger.ts';
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
  let alerts: Promise<import('../alerts/subscription-service.ts').SubscriptionService> | undefined;
  return createApp({
    events: new EventService({
      table,
      events: new EventRepository(table),
      idempotency: new IdempotencyStore(table),
    }),
    apiKeys: new ApiKeyStore(table),
    tokenKey,
    logger,
    ...(config.publicUrl ? { publicUrl: config.publicUrl } : {}),
    subscriptions: {
      // The alert pipeline (SQS, repositories) loads on the first subscription request only,
      // keeping the cold start of timeline reads small. The API never sends mail itself (the
      // delivery function does, from the queue), so nodemailer and SES stay out of its bundle.
      service: () => {
        alerts ??= import('./alerts-pipeline.ts').then(
          ({ wireAwsAlerts }) =>
            wireAwsAlerts('dateline-api', env, () => noMailFromApi, { table, tokenKey, logger })
              .subscriptions,
        );
        return alerts;
      },
    },
  });
}

/** Subscription requests only record and enqueue mail; sending is the delivery function's job. */
const noMailFromApi: MailTransport = {
  send: async () => {
    throw new Error('the API function does not send mail; deliveries go through the delivery queue');
  },
};
