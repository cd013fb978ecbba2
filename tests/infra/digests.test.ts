import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { reservedConcurrency } from '../../infra/constructs/alerts.ts';
import { digestContinuationMaxReceiveCount } from '../../infra/constructs/digests.ts';
import { logicalId, resourceNamed, synth } from './synth.ts';

let template: Template;
beforeAll(() => {
  template = synth().template;
});

const handlerId = () => logicalId(template, 'AWS::Lambda::Function', 'DigestsHandler');
const handler = () => resourceNamed(template, 'AWS::Lambda::Function', 'DigestsHandler');
const queueArn = (name: string) => ({ 'Fn::GetAtt': [logicalId(template, 'AWS::SQS::Queue', name), 'Arn'] });
const variables = () =>
  (handler().Properties.Environment as { Variables: Record<string, unknown> }).Variables;

describe('digest schedule', () => {
  it('runs the digest function at the top of every hour (digest hours are whole UTC hours)', () => {
    const rules = Object.values(template.findResources('AWS::Events::Rule')).filter((rule) =>
      JSON.stringify(rule.Properties.Targets).includes(handlerId()),
    );
    expect(rules).toHaveLength(1);
    expect(rules[0]!.Properties).toMatchObject({ ScheduleExpression: 'cron(0 * * * ? *)', State: 'ENABLED' });
  });

  it('tries a failed scheduled run twice more within the hour (a run is idempotent)', () => {
    const config = Object.values(template.findResources('AWS::Lambda::EventInvokeConfig')).find(
      (resource) => resource.Properties.FunctionName.Ref === handlerId(),
    );
    expect(config?.Properties).toMatchObject({ MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3000 });
  });
});

describe('digest continuations', () => {
  const mapping = () => {
    const found = Object.values(template.findResources('AWS::Lambda::EventSourceMapping')).filter(
      (resource) => resource.Properties.FunctionName.Ref === handlerId(),
    );
    expect(found).toHaveLength(1);
    return found[0]!.Properties;
  };

  it('are consumed by the digest function, one shard walk per invocation, four at once', () => {
    expect(mapping()).toMatchObject({
      EventSourceArn: queueArn('DigestsContinuations'),
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 4 },
    });
  });

  it(`are dead-lettered after ${digestContinuationMaxReceiveCount} receives and hidden 6× the 60 s timeout`, () => {
    expect(handler().Properties.Timeout).toBe(60);
    expect(resourceNamed(template, 'AWS::SQS::Queue', 'DigestsContinuations').Properties).toMatchObject({
      VisibilityTimeout: 360,
      RedrivePolicy: {
        deadLetterTargetArn: queueArn('DigestsContinuationDeadLetters'),
        maxReceiveCount: digestContinuationMaxReceiveCount,
      },
    });
  });

  it('alarm when one is dead-lettered', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'dateline-dev-DigestContinuationDeadLetters',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: {
            'Fn::GetAtt': [
              logicalId(template, 'AWS::SQS::Queue', 'DigestsContinuationDeadLetters'),
              'QueueName',
            ],
          },
        },
      ],
    });
  });
});

describe('digest function', () => {
  it('reserves its continuation concurrency and one for the scheduled run', () => {
    expect(handler().Properties.ReservedConcurrentExecutions).toBe(reservedConcurrency.digest);
    expect(reservedConcurrency.digest).toBe(4 + 1);
  });

  it('finds the delivery queue, its continuation queue and the table from its environment', () => {
    expect(variables()).toMatchObject({
      DELIVERY_QUEUE_URL: { Ref: logicalId(template, 'AWS::SQS::Queue', 'QueuesDelivery') },
      DIGEST_QUEUE_URL: { Ref: logicalId(template, 'AWS::SQS::Queue', 'DigestsContinuations') },
      TABLE_NAME: { Ref: logicalId(template, 'AWS::DynamoDB::GlobalTable', 'StorageTable') },
    });
    expect(variables()).not.toHaveProperty('TOKEN_SECRET_ARN');
    expect(variables()).not.toHaveProperty('MAIL_FROM');
  });
});
