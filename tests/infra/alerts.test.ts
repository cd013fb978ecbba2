import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { reservedConcurrency } from '../../infra/constructs/alerts.ts';
import { logicalId, resourceNamed, synth } from './synth.ts';

let template: Template;

beforeAll(() => {
  template = synth().template;
});

/** The event source mapping that invokes the function named `fn`. */
function mapping(fn: string): Record<string, unknown> {
  const target = logicalId(template, 'AWS::Lambda::Function', fn);
  const found = Object.values(template.findResources('AWS::Lambda::EventSourceMapping')).filter(
    (resource) => resource.Properties.FunctionName.Ref === target,
  );
  expect(found).toHaveLength(1);
  return found[0]!.Properties;
}

describe('stream → fan-out event source mapping', () => {
  it('reads the table stream from the start of its retention', () => {
    expect(mapping('AlertsFanout')).toMatchObject({
      EventSourceArn: {
        'Fn::GetAtt': [logicalId(template, 'AWS::DynamoDB::GlobalTable', 'StorageTable'), 'StreamArn'],
      },
      StartingPosition: 'TRIM_HORIZON',
    });
  });

  it('invokes only for inserted or modified items that carry the FEED marker', () => {
    const { Filters } = mapping('AlertsFanout').FilterCriteria as { Filters: { Pattern: string }[] };
    expect(Filters.map((filter) => JSON.parse(filter.Pattern))).toEqual([
      { eventName: ['INSERT', 'MODIFY'], dynamodb: { NewImage: { feedPk: { S: ['FEED'] } } } },
    ]);
  });

  it('takes batches of 50 and splits a failing batch', () => {
    expect(mapping('AlertsFanout')).toMatchObject({ BatchSize: 50, BisectBatchOnFunctionError: true });
  });

  it('bounds retries to 5 and record age to one hour', () => {
    expect(mapping('AlertsFanout')).toMatchObject({
      MaximumRetryAttempts: 5,
      MaximumRecordAgeInSeconds: 3600,
    });
  });

  it('reports partial batch failures', () => {
    expect(mapping('AlertsFanout').FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
  });

  it('sends batches it gives up on to the stream-failures queue', () => {
    expect(mapping('AlertsFanout').DestinationConfig).toEqual({
      OnFailure: {
        Destination: {
          'Fn::GetAtt': [logicalId(template, 'AWS::SQS::Queue', 'QueuesStreamFailures'), 'Arn'],
        },
      },
    });
  });
});

describe('delivery queue → delivery event source mapping', () => {
  it('reads the delivery queue in batches of 10 with partial batch failures', () => {
    expect(mapping('AlertsDeliver')).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': [logicalId(template, 'AWS::SQS::Queue', 'QueuesDelivery'), 'Arn'] },
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('bounds its concurrency', () => {
    const { MaximumConcurrency } = mapping('AlertsDeliver').ScalingConfig as { MaximumConcurrency: number };
    expect(MaximumConcurrency).toBeGreaterThanOrEqual(2);
    expect(MaximumConcurrency).toBeLessThanOrEqual(10);
  });
});

describe('reserved concurrency', () => {
  const reserved = (fn: string) =>
    resourceNamed(template, 'AWS::Lambda::Function', fn).Properties.ReservedConcurrentExecutions as number;

  it('reserves 10 for fan-out, 10 for delivery and 1 for the sweeper', () => {
    expect(reservedConcurrency).toEqual({ fanout: 10, deliver: 10, sweep: 1 });
    expect(reserved('AlertsFanout')).toBe(reservedConcurrency.fanout);
    expect(reserved('AlertsDeliver')).toBe(reservedConcurrency.deliver);
    expect(reserved('AlertsSweep')).toBe(reservedConcurrency.sweep);
  });

  it('fan-out reads each stream shard one invocation at a time (what its reservation is sized by)', () => {
    expect(mapping('AlertsFanout').ParallelizationFactor ?? 1).toBe(1);
  });

  it('leaves the API unreserved: it draws on the rest of the pool', () => {
    expect(resourceNamed(template, 'AWS::Lambda::Function', 'ApiHandler').Properties).not.toHaveProperty(
      'ReservedConcurrentExecutions',
    );
  });

  it('lets delivery reach its event source maximum concurrency without throttles', () => {
    const { MaximumConcurrency } = mapping('AlertsDeliver').ScalingConfig as { MaximumConcurrency: number };
    expect(reserved('AlertsDeliver')).toBeGreaterThanOrEqual(MaximumConcurrency);
  });

  it('reserves at most a tenth of the default account pool (1,000), leaving the rest to the API', () => {
    const total = Object.values(reservedConcurrency).reduce((sum, n) => sum + n, 0);
    expect(total).toBeLessThanOrEqual(100);
  });
});

describe('queues', () => {
  const queue = (prefix: string) => resourceNamed(template, 'AWS::SQS::Queue', prefix).Properties;

  it('dead-letters a delivery after 12 receives', () => {
    expect(queue('QueuesDelivery').RedrivePolicy).toEqual({
      deadLetterTargetArn: {
        'Fn::GetAtt': [logicalId(template, 'AWS::SQS::Queue', 'QueuesDeliveryDeadLetters'), 'Arn'],
      },
      maxReceiveCount: 12,
    });
  });

  it('hides a received delivery for at least 6× the delivery function timeout', () => {
    const timeout = resourceNamed(template, 'AWS::Lambda::Function', 'AlertsDeliver').Properties
      .Timeout as number;
    expect(queue('QueuesDelivery').VisibilityTimeout).toBeGreaterThanOrEqual(6 * timeout);
  });

  it.each(['QueuesDelivery', 'QueuesDeliveryDeadLetters', 'QueuesStreamFailures'])(
    '%s keeps messages 14 days, encrypted by SQS',
    (prefix) => {
      expect(queue(prefix)).toMatchObject({
        MessageRetentionPeriod: 14 * 24 * 3600,
        SqsManagedSseEnabled: true,
      });
    },
  );

  it.each(['QueuesDelivery', 'QueuesDeliveryDeadLetters', 'QueuesStreamFailures'])(
    '%s refuses requests without TLS',
    (prefix) => {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: logicalId(template, 'AWS::SQS::Queue', prefix) }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Principal: { AWS: '*' },
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    },
  );
});

describe('mail sender', () => {
  it('creates the SES identity for the sender address with a configuration set', () => {
    template.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: 'alerts@example.com',
      ConfigurationSetAttributes: { ConfigurationSetName: Match.anyValue() },
    });
  });

  it('suppresses addresses that bounced or complained', () => {
    template.hasResourceProperties('AWS::SES::ConfigurationSet', {
      SuppressionOptions: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] },
    });
  });
});
