import { type CfnResource, Duration, Stack, Validations } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  type Alarm,
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  type IMetric,
  type Metric,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction, Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  AlertsDeadLettered,
  AlertsFailed,
  AlertsSent,
  AlertsThrottled,
  DeliveryLatency,
  FanoutsParked,
} from '../../shared/platform/metrics.ts';
import { tableDefinition } from '../../shared/store/table.ts';
import { createAlarms, fanoutsParkedMetric, period, sesReputationMetric, tableMetric } from './alarms.ts';
import { perChannel } from './alert-metrics.ts';
import { ignoreCfnLintChecks } from './cfn-lint.ts';
import type { Queues } from './queues.ts';

export interface MonitoringProps {
  stage: string;
  alarmEmail?: string;
  httpApi: HttpApi;
  /** Every function, by the name used in alarm names and on the dashboard. */
  functions: Record<string, LambdaFunction>;
  /** The stream consumer, watched for falling behind. */
  fanout: IFunction;
  queues: Queues;
  /** SES mail events the mail-events function could not apply (mail-events.ts). */
  mailEventDeadLetters: IQueue;
  /** Digest continuations that failed too often (digests.ts). */
  digestContinuationDeadLetters: IQueue;
  table: ITableV2;
}

/** One SNS topic for every alarm, the alarms, and a dashboard of the whole service. */
export class Monitoring extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[];
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

    this.alarms = createAlarms(this, {
      stage: props.stage,
      topic: this.topic,
      httpApi,
      functions: props.functions,
      fanout: props.fanout,
      queues,
      mailEventDeadLetters: props.mailEventDeadLetters,
      digestContinuationDeadLetters: props.digestContinuationDeadLetters,
      table: props.table,
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
    const visible = (queue: IQueue) =>
      queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: Duration.minutes(1) });
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
      graph('Delivery attempts throttled', perChannel(AlertsThrottled, 'Sum', period)),
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
        visible(queues.fanoutContinuationDeadLetters).with({ label: 'continuation DLQ' }),
        visible(props.mailEventDeadLetters).with({ label: 'mail events DLQ' }),
        visible(props.digestContinuationDeadLetters).with({ label: 'digest continuation DLQ' }),
      ]),
      graph('Fan-out iterator age (ms)', [
        props.fanout.metric('IteratorAge', { statistic: 'Maximum', period }),
      ]),
      graph('Fan-outs parked by the sweeper', [fanoutsParkedMetric().with({ label: FanoutsParked })]),
      graph('Oldest delivery message (s)', [
        queues.delivery.metricApproximateAgeOfOldestMessage({ statistic: 'Maximum', period }),
      ]),
    );
    this.addRow(
      graph('Table throttle events', [
        tableMetric(props.table, 'WriteThrottleEvents').with({ label: 'writes' }),
        ...tableDefinition.globalSecondaryIndexes.map(({ indexName }) =>
          tableMetric(props.table, 'WriteThrottleEvents', indexName).with({ label: `writes ${indexName}` }),
        ),
        tableMetric(props.table, 'ReadThrottleEvents').with({ label: 'reads' }),
      ]),
      graph('SES reputation (fraction)', [
        sesReputationMetric('Reputation.BounceRate').with({ label: 'bounce rate' }),
        sesReputationMetric('Reputation.ComplaintRate').with({ label: 'complaint rate' }),
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

  /** Spreads the graphs over the dashboard's full 24-unit width (the first ones one unit wider when it does not divide). */
  private addRow(...widgets: { title: string; left: IMetric[] }[]): void {
    const width = Math.floor(24 / widgets.length);
    const wider = 24 - width * widgets.length;
    this.dashboard.addWidgets(
      ...widgets.map(
        ({ title, left }, index) =>
          new GraphWidget({ title, left, width: width + (index < wider ? 1 : 0), height: 6 }),
      ),
    );
  }
}

function graph(title: string, left: IMetric[]): { title: string; left: IMetric[] } {
  return { title, left };
}
