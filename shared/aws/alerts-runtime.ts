import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createSesTransport } from '../delivery/email/transport.ts';
import { createLogger } from '../platform/logger.ts';
import { createTable } from '../store/dynamo.ts';
import { type AwsAlerts, wireAlertServices } from './alerts-pipeline.ts';
import { readAwsConfig, required } from './config.ts';
import { sqsDeliveryQueue } from './sqs-queue.ts';
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
      mail: (mailFrom) => createSesTransport({ client: new SESv2Client({}), from: mailFrom }),
      tokenKey: config.tokenSecretArn ? secretsManagerTokenKey(config.tokenSecretArn) : missingSecret,
    }),
  };
}

async function missingSecret(): Promise<Uint8Array> {
  throw new Error('Missing environment variable TOKEN_SECRET_ARN');
}
