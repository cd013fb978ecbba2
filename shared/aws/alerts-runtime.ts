import { SESv2Client } from '@aws-sdk/client-sesv2';
import { createSesTransport } from '../delivery/email/transport.ts';
import { type AwsAlerts, wireAwsAlerts } from './alerts-pipeline.ts';

export type { AwsAlerts } from './alerts-pipeline.ts';

/** Wires the alert pipeline for a Lambda function from its environment, sending mail through SES. Built once per container. */
export function createAwsAlerts(service: string, env: NodeJS.ProcessEnv = process.env): AwsAlerts {
  return wireAwsAlerts(service, env, (mailFrom) =>
    createSesTransport({ client: new SESv2Client({}), from: mailFrom }),
  );
}
