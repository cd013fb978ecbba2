import { Duration } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { LogLevel } from '../../shared/platform/logger.ts';
import { FEED_PREFIX } from '../../shared/store/keys.ts';
import { bindQueue, bindSecret, bindSender, bindTable, type MailSender } from './bindings.ts';
import { DatelineFunction } from './dateline-function.ts';
import type { Queues } from './queues.ts';

/** The delivery function's timeout; the delivery queue's visibility timeout is derived from it. */
export const deliverTimeout = Duration.seconds(30);
/** The fan-out function's timeout (each invocation stops starting pages 20 s before it). */
export const fanoutTimeout = Duration.seconds(60);

/**
 * Concurrency reserved for the alert pipeline. Every function of the account and region shares one
 * pool (1,000 by default); without a reservation a burst of API traffic could take all of it and
 * throttle fan-out and delivery. A reservation is a cap too.
 * - fanout: the stream event source runs one invocation per shard at a time (shards ×
 *   parallelizationFactor, which is 1), so 10 of the 20 serve a table with up to 10 stream shards;
 *   the continuation queue's source adds its maxConcurrency (continuationConcurrency, 8). Beyond
 *   that, records wait on their shard (the FanoutIteratorAge alarm) until maxRecordAge (1 h), and
 *   the sweeper re-drives what expires.
 * - deliver: at least the delivery event source's maxConcurrency (5). Below it, SQS invocations
 *   would be throttled, and every receive of a throttled message counts toward the 12 that
 *   dead-letter it. 10 leaves room to raise maxConcurrency up to 10 without changing this.
 * - sweep: one sweep at a time; a throttled run is simply superseded by the next.
 * - mailEvents (mail-events.ts): its queue's event source maxConcurrency, at its minimum (2); SES
 *   events wait in the queue meanwhile.
 * - digest (digests.ts): its continuation queue's maxConcurrency (4) and the hourly scheduled run.
 * In all 38 are reserved. Lambda keeps at least 100 unreserved, so an account whose concurrency
 * quota is below 138 (some new accounts start lower) cannot deploy the stack until it is raised.
 */
export const reservedConcurrency = { fanout: 20, deliver: 10, sweep: 1, mailEvents: 2, digest: 5 } as const;

/**
 * Continuations walked at once: one invocation walks one subscription-index shard of a change
 * (docs/scale.md). With the stream's 10 this stays within fan-out's reservation of 20.
 */
export const continuationConcurrency = 8;

/** The delivery queue's consumers at once: bounds the load on receivers and splits the SES rate. */
export const deliverConcurrency = 5;

/**
 * One delivery consumer's share of the account's SES rate (MAIL_SENDS_PER_SECOND), rounded down to
 * hundredths so that all of them together stay under it. infra/config.ts refuses a rate whose
 * share the delivery function would not accept.
 */
export function mailSendsPerConsumer(sesMaxSendRate: number): number {
  return Math.floor((sesMaxSendRate / deliverConcurrency) * 100) / 100;
}

/** Stream records that start a fan-out: event items written with a pending change marker. */
export const fanoutFilterPattern = {
  eventName: FilterRule.or('INSERT', 'MODIFY'),
  dynamodb: { NewImage: { feedPk: { S: FilterRule.beginsWith(FEED_PREFIX) } } },
};

export interface AlertsProps {
  table: ITableV2;
  tokenSigningKey: ISecret;
  queues: Queues;
  sender: MailSender;
  publicUrl: string;
  logLevel: LogLevel;
  /** The account's SES sending rate (mails per second); delivery containers share it. */
  sesMaxSendRate: number;
}

/** The alert pipeline: stream → fan-out → delivery queue → delivery, and the sweeper that re-drives both. */
export class Alerts extends Construct {
  readonly fanout: DatelineFunction;
  readonly deliver: DatelineFunction;
  readonly sweep: DatelineFunction;
  readonly sweepSchedule: Rule;

  constructor(scope: Construct, id: string, props: AlertsProps) {
    super(scope, id);
    const { table, tokenSigningKey, queues, logLevel } = props;
    const environment = { PUBLIC_URL: props.publicUrl };

    this.fanout = new DatelineFunction(this, 'Fanout', {
      entry: 'fanout.ts',
      description: 'Dateline: turns event changes from the table stream into deliveries',
      logLevel,
      timeout: fanoutTimeout,
      environment,
      reservedConcurrentExecutions: reservedConcurrency.fanout,
    });
    // Deliveries are recorded one conditional write each on AWS (no BatchWriteItem); no index query.
    bindTable(this.fanout, table, { access: 'RW' });
    bindQueue(this.fanout, queues.delivery, 'send');
    // A fan-out that runs short of time goes on through its own continuation queue.
    bindQueue(this.fanout, queues.fanoutContinuations, 'send', 'FANOUT_QUEUE_URL');
    this.fanout.addEventSource(
      new DynamoEventSource(table, {
        // TRIM_HORIZON: changes written before the mapping existed are still announced.
        startingPosition: StartingPosition.TRIM_HORIZON,
        filters: [FilterCriteria.filter(fanoutFilterPattern)],
        batchSize: 50,
        bisectBatchOnError: true,
        retryAttempts: 5,
        maxRecordAge: Duration.hours(1),
        reportBatchItemFailures: true,
        onFailure: new SqsDlq(queues.streamFailures),
      }),
    );
    this.fanout.addEventSource(
      new SqsEventSource(queues.fanoutContinuations, {
        // One shard walk per invocation: each gets the whole time budget.
        batchSize: 1,
        reportBatchItemFailures: true,
        maxConcurrency: continuationConcurrency,
      }),
    );

    this.deliver = new DatelineFunction(this, 'Deliver', {
      entry: 'deliver.ts',
      description: 'Dateline: sends one webhook or email per delivery message',
      logLevel,
      timeout: deliverTimeout,
      environment: {
        ...environment,
        // Each consumer's share of the SES rate, so all of them together stay under it; SES
        // throttling beyond that is backpressure (retried later, not a failure).
        MAIL_SENDS_PER_SECOND: String(mailSendsPerConsumer(props.sesMaxSendRate)),
      },
      reservedConcurrentExecutions: reservedConcurrency.deliver,
    });
    bindTable(this.deliver, table, { access: 'RW' });
    bindSecret(this.deliver, tokenSigningKey);
    // A retry due within 15 minutes is a new, delayed message on the same queue.
    bindQueue(this.deliver, queues.delivery, 'send');
    bindSender(this.deliver, props.sender);
    this.deliver.addEventSource(
      new SqsEventSource(queues.delivery, {
        batchSize: 10,
        reportBatchItemFailures: true,
        maxConcurrency: deliverConcurrency,
      }),
    );

    this.sweep = new DatelineFunction(this, 'Sweep', {
      entry: 'sweep.ts',
      description: 'Dateline: re-drives stuck event changes and overdue deliveries',
      logLevel,
      timeout: Duration.seconds(60),
      environment,
      // One sweep at a time; a failed or throttled sweep is simply superseded by the next one.
      reservedConcurrentExecutions: reservedConcurrency.sweep,
      retryAttempts: 0,
      maxEventAge: Duration.minutes(4),
    });
    // The one reader of the sparse indexes on AWS: changes still pending (feed), deliveries overdue (due).
    bindTable(this.sweep, table, { access: 'RW', indexes: ['feed', 'due'] });
    bindQueue(this.sweep, queues.delivery, 'send');
    // A sweep resumes stalled fan-outs, which may go on through continuations.
    bindQueue(this.sweep, queues.fanoutContinuations, 'send', 'FANOUT_QUEUE_URL');
    // An EventBridge rule invokes through a resource policy, so no role with lambda:InvokeFunction is needed.
    this.sweepSchedule = new Rule(this, 'SweepSchedule', {
      description: 'Dateline: run the sweeper',
      schedule: Schedule.rate(Duration.minutes(5)),
      targets: [new LambdaFunction(this.sweep, { retryAttempts: 0, maxEventAge: Duration.minutes(4) })],
    });
  }
}
