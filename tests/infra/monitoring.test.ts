import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AlertsDeadLettered,
  AlertsFailed,
  AlertsSent,
  AlertsThrottled,
  DeliveryLatency,
  FanoutsParked,
} from '../../shared/platform/metrics.ts';
import { tableDefinition } from '../../shared/store/table.ts';
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
    template.resourcePropertiesCountIs('AWS::SNS::Subscription', { Protocol: 'email' }, 0);
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

  it('fires when a fan-out continuation is dead-lettered by SQS', () => {
    const a = alarm('FanoutContinuationDeadLetters');
    expect(a.Properties).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: {
            'Fn::GetAtt': [
              logicalId(template, 'AWS::SQS::Queue', 'QueuesFanoutContinuationDeadLetters'),
              'QueueName',
            ],
          },
        },
      ],
      Statistic: 'Maximum',
      Period: 60,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    expect(a.Properties.AlarmDescription).toMatch(/after 5 receives.*sweeper resumes it.*15 minutes/);
  });

  it('fires when the sweeper parks an event whose fan-out failed', () => {
    const a = alarm('FanoutsParked');
    expect(a.Properties).toMatchObject({
      Namespace: 'Dateline',
      MetricName: FanoutsParked,
      Statistic: 'Sum',
      Period: 300,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
    });
    // The sweeper counts it without dimensions; an alarm with any would watch nothing.
    expect(a.Properties.Dimensions).toBeUndefined();
    expect(a.Properties.AlarmDescription).toMatch(/parked for 60 minutes.*'fan-out failed in a sweep'/);
  });

  it('fires when mail is throttled in every period for 30 minutes, on every channel', () => {
    const a = alarm('AlertsThrottled');
    const metrics = (a.Properties.Metrics as { MetricStat?: { Metric: Record<string, unknown> } }[])
      .filter((query) => query.MetricStat)
      .map((query) => query.MetricStat!.Metric);
    expect(metrics).toEqual(
      ['webhook', 'email'].map((channel) => ({
        Namespace: 'Dateline',
        MetricName: AlertsThrottled,
        Dimensions: [{ Name: 'Channel', Value: channel }],
      })),
    );
    expect(a.Properties).toMatchObject({
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 6,
      DatapointsToAlarm: 6,
    });
    expect(a.Properties.AlarmDescription).toMatch(/30 minutes.*sesMaxSendRate/);
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

  const tableRef = () => ({ Ref: logicalId(template, 'AWS::DynamoDB::GlobalTable', 'StorageTable') });

  it('fires on any throttled write to the table', () => {
    expect(alarm('TableWriteThrottles').Properties).toMatchObject({
      Namespace: 'AWS/DynamoDB',
      MetricName: 'WriteThrottleEvents',
      Dimensions: [{ Name: 'TableName', Value: tableRef() }],
      Statistic: 'Sum',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it.each(tableDefinition.globalSecondaryIndexes.map((index) => index.indexName))(
    'fires on any throttled write to the %s index',
    (indexName) => {
      const name = `${indexName.charAt(0).toUpperCase()}${indexName.slice(1)}IndexWriteThrottles`;
      const a = alarm(name);
      expect(a.Properties).toMatchObject({
        Namespace: 'AWS/DynamoDB',
        MetricName: 'WriteThrottleEvents',
        Statistic: 'Sum',
        Threshold: 0,
      });
      expect(a.Properties.Dimensions).toEqual(
        expect.arrayContaining([
          { Name: 'TableName', Value: tableRef() },
          { Name: 'GlobalSecondaryIndexName', Value: indexName },
        ]),
      );
      expect(a.Properties.Dimensions).toHaveLength(2);
    },
  );

  it('watches every index of the table and no other', () => {
    const indexAlarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).flatMap((a) =>
      ((a.Properties.Dimensions as { Name: string; Value: unknown }[] | undefined) ?? [])
        .filter((dimension) => dimension.Name === 'GlobalSecondaryIndexName')
        .map((dimension) => dimension.Value),
    );
    expect(indexAlarms.sort()).toEqual(
      tableDefinition.globalSecondaryIndexes.map((index) => index.indexName as string).sort(),
    );
  });

  it('fires on any throttled read of the table', () => {
    expect(alarm('TableReadThrottles').Properties).toMatchObject({
      Namespace: 'AWS/DynamoDB',
      MetricName: 'ReadThrottleEvents',
      Dimensions: [{ Name: 'TableName', Value: tableRef() }],
      Threshold: 0,
    });
  });

  it('fires when a delivery message has waited more than 15 minutes', () => {
    expect(alarm('DeliveryQueueAge').Properties).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: { 'Fn::GetAtt': [logicalId(template, 'AWS::SQS::Queue', 'QueuesDelivery'), 'QueueName'] },
        },
      ],
      Statistic: 'Maximum',
      Threshold: 900,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it.each([
    ['SesBounceRate', 'Reputation.BounceRate', 0.05, 0.1],
    ['SesComplaintRate', 'Reputation.ComplaintRate', 0.001, 0.005],
  ])(
    '%s fires on the account-wide %s at %s, well before SES pauses sending at %s',
    (name, metric, at, pause) => {
      const { Properties } = alarm(name);
      expect(Properties).toMatchObject({
        Namespace: 'AWS/SES',
        MetricName: metric,
        Threshold: at,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
      expect(Properties.Dimensions).toBeUndefined();
      expect(Properties.Threshold as number).toBeLessThanOrEqual(pause / 2);
    },
  );

  it.each([
    ['Api', 'ApiHandler'],
    ['Fanout', 'AlertsFanout'],
    ['Deliver', 'AlertsDeliver'],
    ['Sweep', 'AlertsSweep'],
  ])('fires when the %s function runs for 80%% of its timeout', (name, prefix) => {
    const fn = resourceNamed(template, 'AWS::Lambda::Function', prefix);
    expect(alarm(`${name}DurationNearTimeout`).Properties).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Duration',
      Dimensions: [
        { Name: 'FunctionName', Value: { Ref: logicalId(template, 'AWS::Lambda::Function', prefix) } },
      ],
      Statistic: 'Maximum',
      Threshold: (fn.Properties.Timeout as number) * 1000 * 0.8,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('describes every alarm', () => {
    for (const a of Object.values(template.findResources('AWS::CloudWatch::Alarm'))) {
      expect((a.Properties.AlarmDescription as string).length).toBeGreaterThan(25);
    }
  });

  it('treats missing data as fine, so a quiet service is not alarming', () => {
    for (const a of Object.values(template.findResources('AWS::CloudWatch::Alarm'))) {
      expect(a.Properties.TreatMissingData).toBe('notBreaching');
    }
  });
});

describe('dashboard', () => {
  const body = () => JSON.stringify(template.findResources('AWS::CloudWatch::Dashboard'));

  it.each([AlertsSent, AlertsFailed, AlertsThrottled, AlertsDeadLettered, DeliveryLatency])(
    'graphs %s per channel',
    (metric) => {
      expect(body()).toContain(`\\"Dateline\\",\\"${metric}\\",\\"Channel\\",\\"webhook\\"`);
      expect(body()).toContain(`\\"Dateline\\",\\"${metric}\\",\\"Channel\\",\\"email\\"`);
    },
  );

  const widgets = () => {
    const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    // The body is a Fn::Join of JSON text around references, each inside a JSON string.
    const parts = (dashboard!.Properties.DashboardBody as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
    const text = parts.map((part) => (typeof part === 'string' ? part : 'ref')).join('');
    return (
      JSON.parse(text) as {
        widgets: { x: number; y: number; width: number; properties: { title?: string } }[];
      }
    ).widgets;
  };

  it('graphs throttled attempts right after sent and failed ones', () => {
    const titles = widgets().map((widget) => widget.properties.title);
    const sent = titles.indexOf('Alerts sent');
    expect(titles.slice(sent, sent + 3)).toEqual([
      'Alerts sent',
      'Delivery attempts failed',
      'Delivery attempts throttled',
    ]);
  });

  it('graphs parked fan-outs and the continuation dead letters', () => {
    expect(body()).toContain(`\\"Dateline\\",\\"${FanoutsParked}\\"`);
    const queue = logicalId(template, 'AWS::SQS::Queue', 'QueuesFanoutContinuationDeadLetters');
    expect(body()).toContain(`"Fn::GetAtt":["${queue}","QueueName"]`);
  });

  it('fills each row of graphs to the full 24-unit width', () => {
    const rows = new Map<number, number>();
    for (const widget of widgets()) rows.set(widget.y, (rows.get(widget.y) ?? 0) + widget.width);
    expect([...rows.values()].every((width) => width === 24)).toBe(true);
  });

  it.each(['AWS/ApiGateway', 'AWS/SQS', 'AWS/Lambda', 'AWS/DynamoDB', 'AWS/SES'])(
    'graphs %s metrics',
    (namespace) => {
      expect(body()).toContain(`\\"${namespace}\\"`);
    },
  );
});
