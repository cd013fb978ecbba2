import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { reservedConcurrency } from '../../infra/constructs/alerts.ts';
import { mailEventsMaxReceiveCount } from '../../infra/constructs/mail-events.ts';
import { logicalId, resourceNamed, synth } from './synth.ts';

let template: Template;
beforeAll(() => {
  template = synth().template;
});

const ref = (type: string, name: string) => ({ Ref: logicalId(template, type, name) });
const arnOf = (type: string, name: string) => ({ 'Fn::GetAtt': [logicalId(template, type, name), 'Arn'] });
const configurationSet = () => ref('AWS::SES::ConfigurationSet', 'SenderConfigurationSet');
const topic = () => ref('AWS::SNS::Topic', 'MailEventsTopic');
const queueArn = (name: string) => arnOf('AWS::SQS::Queue', name);
const handler = () => resourceNamed(template, 'AWS::Lambda::Function', 'MailEventsHandler');

describe('SES event publishing', () => {
  it("publishes the configuration set's bounces, complaints, deliveries and rejects to the mail-events topic", () => {
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      ConfigurationSetName: configurationSet(),
      EventDestination: {
        Enabled: true,
        MatchingEventTypes: ['bounce', 'complaint', 'delivery', 'reject'],
        SnsDestination: { TopicARN: topic() },
      },
    });
  });

  it('lets only SES publish to the topic, and only for this account and configuration set, over TLS', () => {
    const policy = Object.values(template.findResources('AWS::SNS::TopicPolicy')).find((candidate) =>
      JSON.stringify(candidate.Properties.Topics).includes(topic().Ref),
    );
    const statements = policy?.Properties.PolicyDocument.Statement as Record<string, unknown>[];
    const allow = statements.filter((statement) => statement.Effect === 'Allow');
    expect(allow).toHaveLength(1);
    expect(allow[0]).toMatchObject({ Action: 'sns:Publish', Principal: { Service: 'ses.amazonaws.com' } });
    const { StringEquals } = allow[0]!.Condition as { StringEquals: Record<string, unknown> };
    expect(StringEquals['AWS:SourceAccount']).toEqual({ Ref: 'AWS::AccountId' });
    expect(StringEquals['AWS:SourceArn']).toEqual({
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':ses:us-east-1:',
          { Ref: 'AWS::AccountId' },
          ':configuration-set/',
          configurationSet(),
        ],
      ],
    });
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
  });

  it('encrypts the topic (recipient addresses) with a rotating key SES of this account may use', () => {
    const key = resourceNamed(template, 'AWS::KMS::Key', 'MailEventsTopicKey').Properties;
    expect(key.EnableKeyRotation).toBe(true);
    expect((key.KeyPolicy as { Statement: unknown[] }).Statement).toContainEqual({
      Effect: 'Allow',
      Principal: { Service: 'ses.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: '*',
      Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
    });
    template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: arnOf('AWS::KMS::Key', 'MailEventsTopicKey'),
    });
  });

  it('feeds the topic into a queue, one raw SES record per message, dead-lettering what SNS cannot hand over', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'sqs',
      TopicArn: topic(),
      Endpoint: queueArn('MailEventsQueue'),
      RawMessageDelivery: true,
      RedrivePolicy: { deadLetterTargetArn: queueArn('MailEventsDeadLetters') },
    });
  });

  it(`dead-letters a mail event after ${mailEventsMaxReceiveCount} failed receives, and keeps it 14 days`, () => {
    expect(mailEventsMaxReceiveCount).toBe(5);
    expect(resourceNamed(template, 'AWS::SQS::Queue', 'MailEventsQueue').Properties).toMatchObject({
      RedrivePolicy: { deadLetterTargetArn: queueArn('MailEventsDeadLetters'), maxReceiveCount: 5 },
      MessageRetentionPeriod: 14 * 86_400,
      SqsManagedSseEnabled: true,
      // 6× the function timeout.
      VisibilityTimeout: 6 * (handler().Properties.Timeout as number),
    });
  });

  it('names the configuration set on every send of the delivery function', () => {
    const deliver = resourceNamed(template, 'AWS::Lambda::Function', 'AlertsDeliver').Properties;
    expect((deliver.Environment as { Variables: Record<string, unknown> }).Variables).toMatchObject({
      MAIL_CONFIGURATION_SET: configurationSet(),
    });
  });
});

describe('the mail-events function', () => {
  it('reads the queue in batches of 10 with partial batch failures, two at a time', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: ref('AWS::Lambda::Function', 'MailEventsHandler'),
      EventSourceArn: queueArn('MailEventsQueue'),
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 2 },
    });
  });

  it('has concurrency reserved for its event source maximum, so SQS never throttles it', () => {
    expect(handler().Properties.ReservedConcurrentExecutions).toBe(reservedConcurrency.mailEvents);
    expect(reservedConcurrency.mailEvents).toBe(2);
  });

  it('runs the mail-events entry with the table name and nothing else to find', () => {
    const variables = (handler().Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(Object.keys(variables).sort()).toEqual([
      'LOG_LEVEL',
      'METRICS_NAMESPACE',
      'NODE_OPTIONS',
      'TABLE_NAME',
    ]);
  });

  it('alarms on its errors, throttles and when a mail event is dead-lettered', () => {
    const alarm = (name: string) =>
      resourceNamed(template, 'AWS::CloudWatch::Alarm', `Monitoring${name}`).Properties;
    expect(alarm('MailEventsErrors')).toMatchObject({
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: ref('AWS::Lambda::Function', 'MailEventsHandler') }],
      Threshold: 0,
    });
    expect(alarm('MailEventsThrottles')).toMatchObject({ MetricName: 'Throttles', Threshold: 0 });
    expect(alarm('MailEventDeadLetters')).toMatchObject({
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: {
            'Fn::GetAtt': [logicalId(template, 'AWS::SQS::Queue', 'MailEventsDeadLetters'), 'QueueName'],
          },
        },
      ],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });
});
