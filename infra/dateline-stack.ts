import { CfnOutput, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { DeployConfig } from './config.ts';
import { Alerts, deliverTimeout, fanoutTimeout } from './constructs/alerts.ts';
import { Api } from './constructs/api.ts';
import { Digests } from './constructs/digests.ts';
import { MailEvents } from './constructs/mail-events.ts';
import { Monitoring } from './constructs/monitoring.ts';
import { Queues } from './constructs/queues.ts';
import { Secrets } from './constructs/secrets.ts';
import { Sender } from './constructs/sender.ts';
import { Storage } from './constructs/storage.ts';

export interface DatelineStackProps extends StackProps {
  config: DeployConfig;
}

export function stackName(stage: string): string {
  return `Dateline-${stage}`;
}

/** The whole service in one stack, one construct per concern, wired in dependency order. */
export class DatelineStack extends Stack {
  readonly storage: Storage;
  readonly api: Api;
  readonly alerts: Alerts;
  readonly mailEvents: MailEvents;
  readonly digests: Digests;
  readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: DatelineStackProps) {
    super(scope, id, { terminationProtection: props.config.stage === 'prod', ...props });
    const { config } = props;
    Tags.of(this).add('application', 'dateline');
    Tags.of(this).add('stage', config.stage);

    this.storage = new Storage(this, 'Storage');
    const { table } = this.storage;
    const secrets = new Secrets(this, 'Secrets');
    const queues = new Queues(this, 'Queues', {
      deliveryConsumerTimeout: deliverTimeout,
      fanoutConsumerTimeout: fanoutTimeout,
    });
    const sender = new Sender(this, 'Sender', {
      address: config.senderAddress,
      domain: config.senderDomain,
      createIdentity: config.createSenderIdentity,
    });

    // Before Alerts: the delivery function's links point at the API unless publicUrl is given.
    this.api = new Api(this, 'Api', {
      name: `dateline-${config.stage}`,
      table,
      tokenSigningKey: secrets.tokenSigningKey,
      deliveryQueue: queues.delivery,
      publicUrl: config.publicUrl,
      corsOrigins: config.corsOrigins,
      throttle: { rateLimit: config.apiRateLimit, burstLimit: config.apiBurstLimit },
      logLevel: config.logLevel,
    });

    this.alerts = new Alerts(this, 'Alerts', {
      table,
      tokenSigningKey: secrets.tokenSigningKey,
      queues,
      sender,
      publicUrl: this.api.publicUrl,
      logLevel: config.logLevel,
      sesMaxSendRate: config.sesMaxSendRate,
    });

    // Email health: SES bounces, complaints and deliveries back into the subscriptions.
    this.mailEvents = new MailEvents(this, 'MailEvents', {
      table,
      configurationSet: sender.configurationSet,
      logLevel: config.logLevel,
    });

    // Daily and weekly digests: an hourly schedule and its continuations.
    this.digests = new Digests(this, 'Digests', {
      table,
      deliveryQueue: queues.delivery,
      publicUrl: this.api.publicUrl,
      logLevel: config.logLevel,
    });

    this.monitoring = new Monitoring(this, 'Monitoring', {
      stage: config.stage,
      alarmEmail: config.alarmEmail,
      httpApi: this.api.httpApi,
      functions: {
        Api: this.api.handler,
        Fanout: this.alerts.fanout,
        Deliver: this.alerts.deliver,
        Sweep: this.alerts.sweep,
        MailEvents: this.mailEvents.handler,
        Digest: this.digests.handler,
      },
      fanout: this.alerts.fanout,
      queues,
      mailEventDeadLetters: this.mailEvents.deadLetters,
      digestContinuationDeadLetters: this.digests.continuationDeadLetters,
      table,
    });

    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'Base URL of the HTTP API' });
    new CfnOutput(this, 'TableName', {
      value: table.tableName,
      description: 'TABLE_NAME for `npm run keys`',
    });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.monitoring.topic.topicArn });
  }
}
