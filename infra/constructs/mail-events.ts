import { Duration, Stack } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import {
  type ConfigurationSet,
  ConfigurationSetEventDestination,
  EmailSendingEvent,
  EventDestination,
} from 'aws-cdk-lib/aws-ses';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { SqsSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { LogLevel } from '../../shared/platform/logger.ts';
import { reservedConcurrency } from './alerts.ts';
import { bindTable } from './bindings.ts';
import { DatelineFunction } from './dateline-function.ts';
import { visibilityTimeoutFactor } from './queues.ts';

/** The events SES publishes for our mail: what disables (bounce, complaint), what heals (delivery), what is ours (reject). */
export const mailEventTypes = [
  EmailSendingEvent.BOUNCE,
  EmailSendingEvent.COMPLAINT,
  EmailSendingEvent.DELIVERY,
  EmailSendingEvent.REJECT,
] as const;

export const mailEventsTimeout = Duration.seconds(30);
/** A mail event whose processing failed this often is dead-lettered (and alarms). */
export const mailEventsMaxReceiveCount = 5;
/** Consumers at once (SQS event sources take at least 2); the reservation matches it. */
export const mailEventsConcurrency = reservedConcurrency.mailEvents;

export interface MailEventsProps {
  table: ITableV2;
  configurationSet: ConfigurationSet;
  logLevel: LogLevel;
}

/**
 * Email health on AWS: the configuration set publishes bounce, complaint, delivery and reject
 * events to an SNS topic (encrypted with a key SES may use); the topic feeds a queue (raw message
 * delivery: each message body is one SES event record), and the mail-events function applies each
 * to the subscription its message tags name. The queue gives retries, batching and a dead-letter
 * queue; SNS dead-letters there as well what it could not hand to the queue.
 */
export class MailEvents extends Construct {
  readonly topic: Topic;
  readonly queue: Queue;
  readonly deadLetters: Queue;
  readonly handler: DatelineFunction;

  constructor(scope: Construct, id: string, props: MailEventsProps) {
    super(scope, id);
    const stack = Stack.of(this);

    // SNS encrypts with a key the publisher may use; the AWS managed SNS key admits no service.
    const key = new Key(this, 'TopicKey', {
      description: 'Dateline: encrypts the SES mail-events topic (recipient addresses)',
      enableKeyRotation: true,
    });
    key.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('ses.amazonaws.com')],
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );
    this.topic = new Topic(this, 'Topic', {
      displayName: 'Dateline SES mail events',
      masterKey: key,
      enforceSSL: true,
    });

    const common = {
      enforceSSL: true,
      encryption: QueueEncryption.SQS_MANAGED,
      retentionPeriod: Duration.days(14),
    };
    this.deadLetters = new Queue(this, 'DeadLetters', common);
    this.queue = new Queue(this, 'Queue', {
      ...common,
      visibilityTimeout: Duration.seconds(mailEventsTimeout.toSeconds() * visibilityTimeoutFactor),
      deadLetterQueue: { queue: this.deadLetters, maxReceiveCount: mailEventsMaxReceiveCount },
    });
    this.topic.addSubscription(
      new SqsSubscription(this.queue, { rawMessageDelivery: true, deadLetterQueue: this.deadLetters }),
    );

    new ConfigurationSetEventDestination(this, 'EventDestination', {
      configurationSet: props.configurationSet,
      destination: EventDestination.snsTopic(this.topic),
      events: [...mailEventTypes],
    });

    this.handler = new DatelineFunction(this, 'Handler', {
      entry: 'mail-events.ts',
      description: 'Dateline: SES bounces, complaints and deliveries into subscription health',
      logLevel: props.logLevel,
      timeout: mailEventsTimeout,
      reservedConcurrentExecutions: reservedConcurrency.mailEvents,
    });
    // It reads a subscription and saves its next state; disabling one deletes its index items.
    bindTable(this.handler, props.table, {
      access: 'RW',
      only: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'],
    });
    this.handler.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: 10,
        reportBatchItemFailures: true,
        maxConcurrency: mailEventsConcurrency,
      }),
    );
  }
}
