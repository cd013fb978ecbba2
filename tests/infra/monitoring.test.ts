import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AlertsDeadLettered,
  AlertsFailed,
  AlertsSent,
  DeliveryLatency,
} from '../../shared/platform/metrics.ts';
import { logicalId, resourceNamed, synth } from './synth.ts';

let template: Template;

beforeAll(() => {
  template = synth().template;
});

type Alarm = { Properties: Record<string, unknown> };
const alarm = (name: string): Alarm => resourceNamed(template, 'AWS::CloudWatch::Alarm', `Monitoring${name}`);
/** Metric names an alarm watches, directly or inside metric math. */
const watched = (a: Alarm): string[] =>
  a.Properties.MetricName
    ? [a.Properties.MetricName as string]
    : ((a.Properties.Metrics as { MetricStat?: { Metric: { MetricName: string } } }[]) ?? [])
        .filter((query) => query.MetricStat)
        .map((query) => query.MetricStat!.Metric.MetricName);

describe('alarm topic', () => {
  it('refuses publishing without TLS', () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('lets CloudWatch of this account publish', () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          }),
        ]),
      },
    });
  });

  it('has no email subscription unless alarmEmail is given', () => {
    template.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  it('receives every alarm and its recovery', () => {
    const topic = { Ref: logicalId(template, 'AWS::SNS::Topic', 'MonitoringAlarmTopic') };
    for (const a of Object.values(template.findResources('AWS::CloudWatch::Alarm'))) {
      expect(a.Properties).toMatchObject({ AlarmActions: [topic], OKActions: [topic] });
    }
  });
});

describe('alarms', () => {
  it('fires when a delivery is dead-lettered by SQS', () => {
    expect(alarm('DeliveryDeadLetters').Properties).toMatchObject({
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: {
            'Fn::GetAtt': [logicalId(template, 'AWS::SQS::Queue', 'QueuesDeliveryDeadLetters'), 'QueueName'],
          },
        },
      ],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it('fires when a stream batch lands in the failure queue', () => {
    expect(alarm('StreamFailures').Properties).toMatchObject({
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: {
            'Fn::GetAtt': [logicalId(template, 'AWS::SQS::Queue', 'QueuesStreamFailures'), 'QueueName'],
          },
        },
      ],
      Threshold: 0,
    });
  });

  it.each(['Api', 'Fanout', 'Deliver', 'Sweep'])(
    'watches errors and throttles of the %s function',
    (name) => {
      expect(alarm(`${name}Errors`).Properties).toMatchObject({
        MetricName: 'Errors',
        Namespace: 'AWS/Lambda',
        Threshold: 0,
      });
      expect(alarm(`${name}Throttles`).Properties).toMatchObject({
        MetricName: 'Throttles',
        Namespace: 'AWS/Lambda',
      });
    },
  );

  it('watches the API 5xx rate as a percentage of requests', () => {
    const a = alarm('ApiServerErrorRate');
    expect(watched(a).sort()).toEqual(['5xx', 'Count']);
    expect(JSON.stringify(a.Properties.Metrics)).toContain('100 * errors / requests');
    expect(a.Properties.Threshold).toBe(5);
  });

  it('fires when fan-out falls more than 5 minutes behind the stream', () => {
    expect(alarm('FanoutIteratorAge').Properties).toMatchObject({
      MetricName: 'IteratorAge',
      Statistic: 'Maximum',
      Threshold: 300_000,
    });
  });

  it('fires on any alert dead-lettered by the app, on every channel', () => {
    const a = alarm('AlertsDeadLettered');
    const metrics = (a.Properties.Metrics as { MetricStat?: { Metric: Record<string, unknown> } }[])
      .filter((query) => query.MetricStat)
      .map((query) => query.MetricStat!.Metric);
    expect(metrics).toEqual([
      {
        Namespace: 'Dateline',
        MetricName: AlertsDeadLettered,
        Dimensions: [{ Name: 'Channel', Value: 'webhook' }],
      },
      {
        Namespace: 'Dateline',
        MetricName: AlertsDeadLettered,
        Dimensions: [{ Name: 'Channel', Value: 'email' }],
      },
    ]);
    expect(a.Properties.Threshold).toBe(0);
  });

  it('fires when the failed share of delivery attempts stays high', () => {
    const a = alarm('AlertsFailedRate');
    expect(new Set(watched(a))).toEqual(new Set([AlertsSent, AlertsFailed]));
    expect(a.Properties).toMatchObject({ Threshold: 25, EvaluationPeriods: 3 });
  });

  it('treats missing data as fine, so a quiet service is not alarming', () => {
    for (const a of Object.values(template.findResources('AWS::CloudWatch::Alarm'))) {
      expect(a.Properties.TreatMissingData).toBe('notBreaching');
    }
  });
});

describe('dashboard', () => {
  const body = () => JSON.stringify(template.findResources('AWS::CloudWatch::Dashboard'));

  it.each([AlertsSent, AlertsFailed, AlertsDeadLettered, DeliveryLatency])(
    'graphs %s per channel',
    (metric) => {
      expect(body()).toContain(`\\"Dateline\\",\\"${metric}\\",\\"Channel\\",\\"webhook\\"`);
      expect(body()).toContain(`\\"Dateline\\",\\"${metric}\\",\\"Channel\\",\\"email\\"`);
    },
  );

  it.each(['AWS/ApiGateway', 'AWS/SQS', 'AWS/Lambda'])('graphs %s metrics', (namespace) => {
    expect(body()).toContain(`\\"${namespace}\\"`);
  });
});
