import { Duration } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { type IQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { LogLevel } from '../../shared/platform/logger.ts';
import { reservedConcurrency } from './alerts.ts';
import { bindQueue, bindTable } from './bindings.ts';
import { DatelineFunction } from './dateline-function.ts';
import { visibilityTimeoutFactor } from './queues.ts';

/** The digest function's timeout (each invocation stops starting pages 20 s before it). */
export const digestTimeout = Duration.seconds(60);
/** Continuations walked at once (one digest shard each); with the scheduled run, the reservation. */
export const digestContinuationConcurrency = reservedConcurrency.digest - 1;
/** A continuation failing this often is dead-lettered; its periods stay due, and the next hour's run sends them. */
export const digestContinuationMaxReceiveCount = 5;
/**
 * Every hour on the hour: digest hours are whole UTC hours (digestHour 0–23), so each run sends
 * the periods that ended at that hour (and any an earlier run left).
 */
export const digestSchedule = Schedule.cron({ minute: '0' });

export interface DigestsProps {
  table: ITableV2;
  /** Where digest deliveries are announced (the delivery queue). */
  deliveryQueue: IQueue;
  publicUrl: string;
  logLevel: LogLevel;
}

/**
 * Digests on AWS: an EventBridge rule runs the digest function hourly; it walks the periods that
 * have ended (the `due` index under DIGESTDUE#<n>), records one delivery per subscription and
 * period on the delivery queue, and hands the shards it does not finish to its continuation queue.
 */
export class Digests extends Construct {
  readonly handler: DatelineFunction;
  readonly continuations: Queue;
  readonly continuationDeadLetters: Queue;
  readonly schedule: Rule;

  constructor(scope: Construct, id: string, props: DigestsProps) {
    super(scope, id);
    const common = {
      enforceSSL: true,
      encryption: QueueEncryption.SQS_MANAGED,
      retentionPeriod: Duration.days(14),
    };
    this.continuationDeadLetters = new Queue(this, 'ContinuationDeadLetters', common);
    this.continuations = new Queue(this, 'Continuations', {
      ...common,
      visibilityTimeout: Duration.seconds(digestTimeout.toSeconds() * visibilityTimeoutFactor),
      deadLetterQueue: {
        queue: this.continuationDeadLetters,
        maxReceiveCount: digestContinuationMaxReceiveCount,
      },
    });

    this.handler = new DatelineFunction(this, 'Handler', {
      entry: 'digest.ts',
      description: 'Dateline: sends the daily and weekly digests of the periods that have ended',
      logLevel: props.logLevel,
      timeout: digestTimeout,
      environment: { PUBLIC_URL: props.publicUrl },
      reservedConcurrentExecutions: reservedConcurrency.digest,
      // A failed scheduled run is tried again (it is idempotent); what it still leaves, the next hour's run sends.
      retryAttempts: 2,
      maxEventAge: Duration.minutes(50),
    });
    // Periods (Query on the `due` index), their entries and headers, the messages, the delivery records.
    bindTable(this.handler, props.table, { access: 'RW', indexes: ['due'] });
    bindQueue(this.handler, props.deliveryQueue, 'send');
    bindQueue(this.handler, this.continuations, 'send', 'DIGEST_QUEUE_URL');
    this.handler.addEventSource(
      new SqsEventSource(this.continuations, {
        batchSize: 1,
        reportBatchItemFailures: true,
        maxConcurrency: digestContinuationConcurrency,
      }),
    );
    // An EventBridge rule invokes through a resource policy: no role with lambda:InvokeFunction.
    this.schedule = new Rule(this, 'Schedule', {
      description: 'Dateline: send the digests of the periods that ended this hour',
      schedule: digestSchedule,
      targets: [new LambdaFunction(this.handler, { retryAttempts: 2, maxEventAge: Duration.minutes(50) })],
    });
  }
}
