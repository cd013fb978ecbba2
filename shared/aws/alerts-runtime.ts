import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createSesTransport, type MailTransport } from '../delivery/email/transport.ts';
import { createLogger } from '../platform/logger.ts';
import { rateLimiter } from '../platform/rate-limit.ts';
import { createTable } from '../store/dynamo.ts';
import { type AwsAlerts, wireAlertServices } from './alerts-pipeline.ts';
import { readAwsConfig, required } from './config.ts';
import { sqsDeliveryQueue, sqsFanoutContinuations } from './sqs-queue.ts';
import { secretsManagerTokenKey } from './token-key.ts';

export type { AwsAlerts } from './alerts-pipeline.ts';

/**
 * Wires the alert pipeline for a Lambda function from its environment: the deployed table, the
 * SQS delivery queue, mail through SES. Built once per container.
 */
export function createAwsAlerts(service: string, env: NodeJS.ProcessEnv = process.env): AwsAlerts {
  const config = readAwsConfig(env);
  const queueUrl = required(env, 'DELIVERY_QUEUE_URL');
  const table = createTable({ tableName: config.tableName });
  const logger = createLogger({ service, level: config.logLevel });
  const sqs = new SQSClient({});
  const continuationsUrl = env.FANOUT_QUEUE_URL;
  return {
    config,
    table,
    logger,
    sqs,
    queueUrl,
    ...wireAlertServices({
      config,
      table,
      logger,
      queue: sqsDeliveryQueue(sqs, queueUrl),
      ...(continuationsUrl ? { continuations: sqsFanoutContinuations(sqs, continuationsUrl) } : {}),
      mail: (mailFrom) =>
        paced(
          createSesTransport({
            client: new SESv2Client({}),
            from: mailFrom,
            ...(config.mailConfigurationSet ? { configurationSet: config.mailConfigurationSet } : {}),
          }),
          config.mailSendsPerSecond,
        ),
      tokenKey: config.tokenSecretArn ? secretsManagerTokenKey(config.tokenSecretArn) : missingSecret,
    }),
  };
}

/** Holds each send back to the container's share of the SES sending rate (the rest is SES's own throttling, retried as backpressure). */
function paced(transport: MailTransport, perSecond: number | undefined): MailTransport {
  if (!perSecond) return transport;
  const slot = rateLimiter(perSecond);
  return {
    async send(mail) {
      await slot();
      return transport.send(mail);
    },
  };
}

async function missingSecret(): Promise<Uint8Array> {
  throw new Error('Missing environment variable TOKEN_SECRET_ARN');
}
