import { type CfnResource, Duration, Stack, Validations } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  type Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import {
  AlertsDeadLettered,
  AlertsFailed,
  AlertsSent,
  DeliveryLatency,
} from '../../shared/platform/metrics.ts';
import { failedAttemptRate, perChannel, totalOverChannels } from './alert-metrics.ts';
import { ignoreCfnLintChecks } from './cfn-lint.ts';
import { deliveryMaxReceiveCount, type Queues } from './queues.ts';

export interface MonitoringProps {
  stage: string;
  alarmEmail?: string;
  httpApi: HttpApi;
  /** Every function, by the name used in alarm names and on the dashboard. */
  functions: Record<string, IFunction>;
  /** The stream consumer, watched for falling behind. */
  fanout: IFunction;
  queues: Queues;
}

interface AlarmSpec {
  metric: IMetric;
  threshold: number;
  description: string;
  evaluationPeriods?: number;
  datapointsToAlarm?: number;
}

const period = Duration.minutes(5);
/** Fan-out more than 5 minutes behind the table: alerts are late. Records are dropped at 1 h. */
export const iteratorAgeThresholdMs = 5 * 60 * 1000;
export const apiServerErrorRateThreshold = 5;
export const failedAttemptRateThreshold = 25;

/** One SNS topic for every alarm, the alarms, and a dashboard of the whole service. */
export class Monitoring extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { queues, httpApi } = props;

    this.topic = new Topic(this, 'AlarmTopic', {
      displayName: `Dateline ${props.stage} alarms`,
      enforceSSL: true,
    });
    // The SSL policy replaces SNS's default topic policy, so CloudWatch must be let in explicitly.
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );
    Validations.of(this.topic).acknowledge({
      id: 'AwsSolutions-SNS2',
      reason:
        'The topic carries alarm state changes only (alarm names, thresholds), no customer data. CloudWatch cannot ' +
        'publish to a topic encrypted with the AWS managed SNS key, and a customer managed key adds cost and a key ' +
        'policy for no confidentiality gain. Publishing is TLS-only (enforceSSL).',
    });
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));

    const alarm = (name: string, spec: AlarmSpec): Alarm => {
      const created = new Alarm(this, name, {
        alarmName: `dateline-${props.stage}-${name}`,
        alarmDescription: spec.description,
        metric: spec.metric,
        threshold: spec.threshold,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: spec.evaluationPeriods ?? 1,
        datapointsToAlarm: spec.datapointsToAlarm,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      created.addAlarmAction(new SnsAction(this.topic));
      created.addOkAction(new SnsAction(this.topic));
      this.alarms.push(created);
      return created;
    };
    const visible = (queue: Queues['delivery']) =>
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

    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: `dateline-${props.stage}`,
      defaultInterval: Duration.hours(6),
    });
    ignoreCfnLintChecks(this.dashboard.node.defaultChild as CfnResource, {
      E3002:
        "cfn-lint 1.51's bundled schema predates Tags on AWS::CloudWatch::Dashboard (added to CloudFormation " +
        'in 2026; aws-cdk-lib 2.276 renders the stack tags there). The resource is still checked against the ' +
        "newer schema by CDK's built-in CloudFormation validation (tests/infra/stack.test.ts).",
    });
    const functions = Object.entries(props.functions);
    const byFunction = (pick: (fn: IFunction) => Metric) =>
      functions.map(([name, fn]) => pick(fn).with({ label: name }));
    this.addRow(
      graph('API requests', [httpApi.metricCount({ statistic: 'Sum', period })]),
      graph('API errors', [
        httpApi.metricClientError({ statistic: 'Sum', period, label: '4xx' }),
        httpApi.metricServerError({ statistic: 'Sum', period, label: '5xx' }),
      ]),
      graph('API latency', [
        httpApi.metricLatency({ statistic: 'p50', period, label: 'p50' }),
        httpApi.metricLatency({ statistic: 'p99', period, label: 'p99' }),
      ]),
    );
    this.addRow(
      graph('Alerts sent', perChannel(AlertsSent, 'Sum', period)),
      graph('Delivery attempts failed', perChannel(AlertsFailed, 'Sum', period)),
      graph('Alerts dead-lettered', perChannel(AlertsDeadLettered, 'Sum', period)),
      graph('Delivery latency p90', perChannel(DeliveryLatency, 'p90', period)),
    );
    this.addRow(
      graph('Delivery queue', [
        queues.delivery.metricApproximateNumberOfMessagesVisible({ period, label: 'visible' }),
        queues.delivery.metricApproximateNumberOfMessagesNotVisible({
          period,
          label: 'in flight or delayed',
        }),
      ]),
      graph('Dead letters', [
        visible(queues.deliveryDeadLetters).with({ label: 'delivery DLQ' }),
        visible(queues.streamFailures).with({ label: 'stream failures' }),
      ]),
      graph('Fan-out iterator age (ms)', [
        props.fanout.metric('IteratorAge', { statistic: 'Maximum', period }),
      ]),
    );
    this.addRow(
      graph(
        'Invocations',
        byFunction((fn) => fn.metricInvocations({ statistic: 'Sum', period })),
      ),
      graph(
        'Errors',
        byFunction((fn) => fn.metricErrors({ statistic: 'Sum', period })),
      ),
      graph(
        'Throttles',
        byFunction((fn) => fn.metricThrottles({ statistic: 'Sum', period })),
      ),
      graph(
        'Duration p99',
        byFunction((fn) => fn.metricDuration({ statistic: 'p99', period })),
      ),
    );
    this.dashboard.addWidgets(new AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24 }));
  }

  /** Spreads the graphs over the dashboard's full 24-unit width. */
  private addRow(...widgets: { title: string; left: IMetric[] }[]): void {
    const width = Math.floor(24 / widgets.length);
    this.dashboard.addWidgets(
      ...widgets.map(({ title, left }) => new GraphWidget({ title, left, width, height: 6 })),
    );
  }
}

function graph(title: string, left: IMetric[]): { title: string; left: IMetric[] } {
  return { title, left };
}
