/**
 * Every CloudWatch alarm of the service. Each notifies the alarm topic when it fires and when it
 * recovers; missing data counts as fine, so a quiet service does not alarm.
 */
import { Duration } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  ComparisonOperator,
  type IMetric,
  MathExpression,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IFunction, Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { STALLED_FANOUT_MS } from '../../shared/alerts/fanout.ts';
import { PARK_MS } from '../../shared/aws/sweep-handler.ts';
import { AlertsDeadLettered, AlertsThrottled, FanoutsParked } from '../../shared/platform/metrics.ts';
import { tableDefinition } from '../../shared/store/table.ts';
import { failedAttemptRate, totalOverChannels } from './alert-metrics.ts';
import { metricsNamespace } from './dateline-function.ts';
import { digestContinuationMaxReceiveCount } from './digests.ts';
import { mailEventsMaxReceiveCount } from './mail-events.ts';
import { continuationMaxReceiveCount, deliveryMaxReceiveCount, type Queues } from './queues.ts';

export const period = Duration.minutes(5);
/** Fan-out more than 5 minutes behind the table: alerts are late. Records are dropped at 1 h. */
export const iteratorAgeThresholdMs = 5 * 60 * 1000;
export const apiServerErrorRateThreshold = 5;
export const failedAttemptRateThreshold = 25;
/**
 * A fresh delivery message is received within seconds. Retries wait in the queue too, but a
 * message received three times leaves SQS's age metric, and the first two retries come after 5 s
 * and 5 min; older than 15 minutes means the consumer is not keeping up (or a receiver's
 * Retry-After asked for a longer wait).
 */
export const deliveryQueueAgeThresholdSeconds = 15 * 60;
/**
 * SES reputation, as fractions (SES publishes 0.05 for 5%). AWS reviews an account at a 5% bounce
 * or 0.1% complaint rate and may pause its sending at 10% or 0.5%: these fire at the review level,
 * half (bounces) and a fifth (complaints) of the pause.
 */
export const sesBounceRateThreshold = 0.05;
export const sesComplaintRateThreshold = 0.001;
/** A function whose slowest run reaches this share of its timeout is close to timing out. */
export const durationNearTimeoutFraction = 0.8;
/**
 * Provider throttling (SES, SMTP 421/451) is backpressure: the attempt is retried 30–60 s later
 * without using up a step of the retry schedule, so no failure or dead-letter alarm ever sees it.
 * A throttle now and then is expected; throttling in every 5-minute period for this long means the
 * account sends slower than `sesMaxSendRate` says (or other senders share its rate) and mail is late.
 */
export const sustainedThrottlingPeriods = 6;

export interface AlarmsProps {
  stage: string;
  topic: ITopic;
  httpApi: HttpApi;
  /** Every function, by the name used in alarm names. */
  functions: Record<string, LambdaFunction>;
  /** The stream consumer, watched for falling behind. */
  fanout: IFunction;
  queues: Queues;
  /** SES mail events the mail-events function could not apply. */
  mailEventDeadLetters: IQueue;
  /** Digest continuations that failed too often. */
  digestContinuationDeadLetters: IQueue;
  table: ITableV2;
}

interface AlarmSpec {
  metric: IMetric;
  threshold: number;
  description: string;
  comparisonOperator?: ComparisonOperator;
  evaluationPeriods?: number;
  datapointsToAlarm?: number;
}

/** A DynamoDB metric of the table, or of one of its global secondary indexes. */
export function tableMetric(table: ITableV2, metricName: string, indexName?: string): Metric {
  return new Metric({
    namespace: 'AWS/DynamoDB',
    metricName,
    dimensionsMap: {
      TableName: table.tableName,
      ...(indexName ? { GlobalSecondaryIndexName: indexName } : {}),
    },
    statistic: 'Sum',
    period,
  });
}

/** Events whose fan-out failed in a sweep and were parked (written by the sweeper, no dimensions). */
export function fanoutsParkedMetric(): Metric {
  return new Metric({ namespace: metricsNamespace, metricName: FanoutsParked, statistic: 'Sum', period });
}

/** An account-wide SES reputation metric (a fraction, 0 to 1), as its highest value in an hour. */
export function sesReputationMetric(
  metricName: 'Reputation.BounceRate' | 'Reputation.ComplaintRate',
): Metric {
  return new Metric({ namespace: 'AWS/SES', metricName, statistic: 'Maximum', period: Duration.hours(1) });
}

const capitalized = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);

/** Creates the alarms as children of `scope` (ids are the alarm names); returns them in order. */
export function createAlarms(scope: Construct, props: AlarmsProps): Alarm[] {
  const { queues, httpApi, table } = props;
  const alarms: Alarm[] = [];
  const alarm = (name: string, spec: AlarmSpec): void => {
    const created = new Alarm(scope, name, {
      alarmName: `dateline-${props.stage}-${name}`,
      alarmDescription: spec.description,
      metric: spec.metric,
      threshold: spec.threshold,
      comparisonOperator: spec.comparisonOperator ?? ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: spec.evaluationPeriods ?? 1,
      datapointsToAlarm: spec.datapointsToAlarm,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    created.addAlarmAction(new SnsAction(props.topic));
    created.addOkAction(new SnsAction(props.topic));
    alarms.push(created);
  };
  const visible = (queue: IQueue) =>
    queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: Duration.minutes(1) });

  alarm('DeliveryDeadLetters', {
    metric: visible(queues.deliveryDeadLetters),
    threshold: 0,
    description: `Delivery messages were dead-lettered by SQS after ${deliveryMaxReceiveCount} receives. Inspect, fix, then redrive.`,
  });
  alarm('StreamFailures', {
    metric: visible(queues.streamFailures),
    threshold: 0,
    description:
      'Fan-out gave up on stream records. The sweeper re-drives items still marked pending; check logs.',
  });
  alarm('FanoutContinuationDeadLetters', {
    metric: visible(queues.fanoutContinuationDeadLetters),
    threshold: 0,
    description:
      `Fan-out continuations were dead-lettered by SQS after ${continuationMaxReceiveCount} receives: an event's ` +
      `fan-out stopped part-way. Its progress is kept beside the event and the sweeper resumes it once it has ` +
      `stalled for ${STALLED_FANOUT_MS / 60_000} minutes, so no redrive is needed. See the fan-out logs ` +
      `('fan-out continuation failed') for the cause.`,
  });
  alarm('MailEventDeadLetters', {
    metric: visible(props.mailEventDeadLetters),
    threshold: 0,
    description:
      `SES bounce, complaint or delivery events could not be applied after ${mailEventsMaxReceiveCount} tries ` +
      '(or SNS could not hand them to the queue): a bounced or complaining address may still be mailed. ' +
      "See the MailEvents function's logs, fix, then redrive the dead-letter queue.",
  });
  alarm('DigestContinuationDeadLetters', {
    metric: visible(props.digestContinuationDeadLetters),
    threshold: 0,
    description:
      `Digest continuations were dead-lettered after ${digestContinuationMaxReceiveCount} receives: a digest run ` +
      'stopped part-way through a shard. Its periods stay due, so the next hourly run sends them (late, not lost). ' +
      "See the Digest function's logs ('digest continuation failed') for the cause.",
  });
  for (const [name, fn] of Object.entries(props.functions)) {
    alarm(`${name}Errors`, {
      metric: fn.metricErrors({ statistic: 'Sum', period }),
      threshold: 0,
      description: `The ${name} function failed (uncaught error, timeout or crash).`,
    });
    alarm(`${name}Throttles`, {
      metric: fn.metricThrottles({ statistic: 'Sum', period }),
      threshold: 0,
      description: `The ${name} function was throttled.`,
    });
  }
  alarm('ApiServerErrorRate', {
    metric: new MathExpression({
      expression: 'IF(requests > 0, 100 * errors / requests, 0)',
      usingMetrics: {
        errors: httpApi.metricServerError({ statistic: 'Sum', period }),
        requests: httpApi.metricCount({ statistic: 'Sum', period }),
      },
      label: 'API 5xx (%)',
      period,
    }),
    threshold: apiServerErrorRateThreshold,
    evaluationPeriods: 3,
    datapointsToAlarm: 2,
    description: `More than ${apiServerErrorRateThreshold}% of API requests answered 5xx.`,
  });
  alarm('FanoutIteratorAge', {
    metric: props.fanout.metric('IteratorAge', { statistic: 'Maximum', period }),
    threshold: iteratorAgeThresholdMs,
    evaluationPeriods: 3,
    datapointsToAlarm: 2,
    description:
      'Fan-out is falling behind the table stream; records older than 1 h go to the failure queue.',
  });
  alarm('AlertsDeadLettered', {
    metric: totalOverChannels(AlertsDeadLettered, period),
    threshold: 0,
    description: 'Deliveries exhausted their retry schedule (visible and retryable in the delivery log).',
  });
  alarm('AlertsFailedRate', {
    metric: failedAttemptRate(period),
    threshold: failedAttemptRateThreshold,
    evaluationPeriods: 3,
    description: `More than ${failedAttemptRateThreshold}% of delivery attempts failed for 15 minutes.`,
  });
  alarm('AlertsThrottled', {
    metric: totalOverChannels(AlertsThrottled, period),
    threshold: 0,
    evaluationPeriods: sustainedThrottlingPeriods,
    datapointsToAlarm: sustainedThrottlingPeriods,
    description:
      `The mail provider throttled delivery attempts in every ${period.toMinutes()}-minute period for ` +
      `${sustainedThrottlingPeriods * period.toMinutes()} minutes. Throttled mails are retried ` +
      "without using up their retry schedule, so they are late, not failed: check the account's SES sending " +
      'quota against the sesMaxSendRate context key, and other senders in the account and region.',
  });
  alarm('FanoutsParked', {
    metric: fanoutsParkedMetric(),
    threshold: 0,
    description:
      `An event's fan-out failed in a sweep and was parked for ${PARK_MS / 60_000} minutes; ` +
      "its alerts wait until a later sweep tries again. See the sweep function's logs ('fan-out failed in a sweep').",
  });

  // Storage. An on-demand table throttles a partition beyond 1,000 write or 3,000 read units a
  // second, and traffic that more than doubles its previous peak quickly; the SDK retries, then fails.
  alarm('TableWriteThrottles', {
    metric: tableMetric(table, 'WriteThrottleEvents'),
    threshold: 0,
    description:
      'DynamoDB throttled writes to the table. The SDK retries them; sustained, API writes fail (5xx) and alerts are late.',
  });
  for (const { indexName } of tableDefinition.globalSecondaryIndexes) {
    alarm(`${capitalized(indexName)}IndexWriteThrottles`, {
      metric: tableMetric(table, 'WriteThrottleEvents', indexName),
      threshold: 0,
      description: `DynamoDB throttled writes to the ${indexName} index. A throttled index throttles the table writes that update it.`,
    });
  }
  alarm('TableReadThrottles', {
    metric: tableMetric(table, 'ReadThrottleEvents'),
    threshold: 0,
    description:
      'DynamoDB throttled reads of the table. The SDK retries them; sustained, API reads fail (5xx).',
  });

  alarm('DeliveryQueueAge', {
    metric: queues.delivery.metricApproximateAgeOfOldestMessage({ statistic: 'Maximum', period }),
    threshold: deliveryQueueAgeThresholdSeconds,
    evaluationPeriods: 3,
    datapointsToAlarm: 2,
    description:
      `A delivery message has waited more than ${deliveryQueueAgeThresholdSeconds / 60} minutes: the delivery ` +
      'function is not keeping up (throttled, failing, or capped by its maximum concurrency), or a receiver ' +
      'asked for a longer Retry-After.',
  });

  alarm('SesBounceRate', {
    metric: sesReputationMetric('Reputation.BounceRate'),
    threshold: sesBounceRateThreshold,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    description:
      `The account's SES bounce rate reached ${sesBounceRateThreshold * 100}%: AWS reviews the account now and ` +
      'may pause its sending at 10%. Account-wide: every sender in this account and region counts.',
  });
  alarm('SesComplaintRate', {
    metric: sesReputationMetric('Reputation.ComplaintRate'),
    threshold: sesComplaintRateThreshold,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    description:
      `The account's SES complaint rate reached ${sesComplaintRateThreshold * 100}%: AWS reviews the account ` +
      'now and may pause its sending at 0.5%. Account-wide: every sender in this account and region counts.',
  });

  for (const [name, fn] of Object.entries(props.functions)) {
    if (!fn.timeout) throw new Error(`the ${name} function has no timeout to watch`);
    const timeout = fn.timeout.toSeconds();
    alarm(`${name}DurationNearTimeout`, {
      metric: fn.metricDuration({ statistic: 'Maximum', period }),
      threshold: fn.timeout.toMilliseconds() * durationNearTimeoutFraction,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      description: `The ${name} function ran for ${durationNearTimeoutFraction * 100}% or more of its ${timeout} s timeout; a little slower and it times out.`,
    });
  }
  return alarms;
}
