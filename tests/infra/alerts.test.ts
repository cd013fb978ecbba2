import { isDeepStrictEqual } from 'node:util';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  continuationConcurrency,
  deliverConcurrency,
  reservedConcurrency,
} from '../../infra/constructs/alerts.ts';
import { FEED_PREFIX, feedPartition } from '../../shared/store/keys.ts';
import { allShards } from '../../shared/store/shards.ts';
import { shardCounts, tableDefinition } from '../../shared/store/table.ts';
import { logicalId, resourceNamed, synth } from './synth.ts';

let template: Template;

beforeAll(() => {
  template = synth().template;
});

/** What an event source mapping's EventSourceArn reads for the table's stream. */
const tableStream = () => ({
  'Fn::GetAtt': [logicalId(template, 'AWS::DynamoDB::GlobalTable', 'StorageTable'), 'StreamArn'],
});
/** What an event source mapping's EventSourceArn reads for one of the queues. */
const queueArn = (name: string) => ({ 'Fn::GetAtt': [logicalId(template, 'AWS::SQS::Queue', name), 'Arn'] });

/** Every event source mapping that invokes the function named `fn`. */
function mappings(fn: string): Record<string, unknown>[] {
  const target = logicalId(template, 'AWS::Lambda::Function', fn);
  return Object.values(template.findResources('AWS::Lambda::EventSourceMapping'))
    .filter((resource) => resource.Properties.FunctionName.Ref === target)
    .map((resource) => resource.Properties as Record<string, unknown>);
}

/** The one event source mapping that invokes `fn` from `source` (an EventSourceArn). */
function mapping(fn: string, source: unknown): Record<string, unknown> {
  const found = mappings(fn).filter((properties) => isDeepStrictEqual(properties.EventSourceArn, source));
  expect(found).toHaveLength(1);
  return found[0]!;
}

const streamMapping = () => mapping('AlertsFanout', tableStream());
const continuationMapping = () => mapping('AlertsFanout', queueArn('QueuesFanoutContinuations'));
const deliveryMapping = () => mapping('AlertsDeliver', queueArn('QueuesDelivery'));

describe('event sources', () => {
  it('invokes fan-out from the table stream and its continuation queue, delivery from its queue, nothing else', () => {
    const sources = (fn: string) => mappings(fn).map((properties) => properties.EventSourceArn);
    expect(sources('AlertsFanout')).toEqual(
      expect.arrayContaining([tableStream(), queueArn('QueuesFanoutContinuations')]),
    );
    expect(sources('AlertsFanout')).toHaveLength(2);
    expect(sources('AlertsDeliver')).toEqual([queueArn('QueuesDelivery')]);
    expect(sources('AlertsSweep')).toEqual([]);
    expect(sources('ApiHandler')).toEqual([]);
  });
});

describe('stream → fan-out event source mapping', () => {
  it('reads the table stream from the start of its retention', () => {
    expect(streamMapping()).toMatchObject({ StartingPosition: 'TRIM_HORIZON' });
  });

  it('invokes only for inserted or modified items whose feedPk starts with the FEED marker', () => {
    const { Filters } = streamMapping().FilterCriteria as { Filters: { Pattern: string }[] };
    expect(Filters.map((filter) => JSON.parse(filter.Pattern))).toEqual([
      { eventName: ['INSERT', 'MODIFY'], dynamodb: { NewImage: { feedPk: { S: [{ prefix: 'FEED' }] } } } },
    ]);
  });

  it('filters on the feed index key, and its prefix matches every feed write shard', () => {
    const { Filters } = streamMapping().FilterCriteria as { Filters: { Pattern: string }[] };
    const { NewImage } = (JSON.parse(Filters[0]!.Pattern) as { dynamodb: { NewImage: object } }).dynamodb;
    const feed = tableDefinition.globalSecondaryIndexes.find((index) => index.indexName === 'feed');
    expect(Object.keys(NewImage)).toEqual([feed?.partitionKey]);
    const [{ prefix }] = (NewImage as Record<string, { S: [{ prefix: string }] }>).feedPk!.S;
    expect(prefix).toBe(FEED_PREFIX);
    const keys = allShards(shardCounts.feed).map(feedPartition);
    expect(keys).toEqual(['FEED#0', 'FEED#1', 'FEED#2', 'FEED#3']);
    for (const key of keys) expect(key.startsWith(prefix)).toBe(true);
  });

  it('takes batches of 50 and splits a failing batch', () => {
    expect(streamMapping()).toMatchObject({ BatchSize: 50, BisectBatchOnFunctionError: true });
  });

  it('bounds retries to 5 and record age to one hour', () => {
    expect(streamMapping()).toMatchObject({
      MaximumRetryAttempts: 5,
      MaximumRecordAgeInSeconds: 3600,
    });
  });

  it('reports partial batch failures', () => {
    expect(streamMapping().FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
  });

  it('sends batches it gives up on to the stream-failures queue', () => {
    expect(streamMapping().DestinationConfig).toEqual({
      OnFailure: { Destination: queueArn('QueuesStreamFailures') },
    });
  });
});

describe('continuation queue → fan-out event source mapping', () => {
  it('reads one continuation per invocation with partial batch failures', () => {
    expect(continuationMapping()).toMatchObject({
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('walks at most 8 continuations at once', () => {
    expect(continuationConcurrency).toBe(8);
    expect(continuationMapping().ScalingConfig).toEqual({ MaximumConcurrency: 8 });
  });
});

describe('delivery queue → delivery event source mapping', () => {
  it('reads the delivery queue in batches of 10 with partial batch failures', () => {
    expect(deliveryMapping()).toMatchObject({
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('bounds its concurrency to deliverConcurrency (5)', () => {
    expect(deliverConcurrency).toBe(5);
    expect(deliveryMapping().ScalingConfig).toEqual({ MaximumConcurrency: 5 });
  });
});

describe('reserved concurrency', () => {
  const reserved = (fn: string) =>
    resourceNamed(template, 'AWS::Lambda::Function', fn).Properties.ReservedConcurrentExecutions as number;
  const maximumConcurrency = (properties: Record<string, unknown>) =>
    (properties.ScalingConfig as { MaximumConcurrency: number }).MaximumConcurrency;

  it('reserves 20 for fan-out, 10 for delivery, 1 for the sweeper, 2 for mail events and 5 for digests', () => {
    expect(reservedConcurrency).toEqual({ fanout: 20, deliver: 10, sweep: 1, mailEvents: 2, digest: 5 });
    expect(reserved('AlertsFanout')).toBe(20);
    expect(reserved('AlertsDeliver')).toBe(10);
    expect(reserved('AlertsSweep')).toBe(1);
    expect(reserved('MailEventsHandler')).toBe(2);
    expect(reserved('DigestsHandler')).toBe(5);
  });

  it('fan-out reads each stream shard one invocation at a time (what its reservation is sized by)', () => {
    expect(streamMapping().ParallelizationFactor ?? 1).toBe(1);
  });

  it('lets fan-out serve 10 stream shards and its continuation maximum concurrency without throttles', () => {
    const streamShards = 10;
    const parallelization = (streamMapping().ParallelizationFactor as number | undefined) ?? 1;
    expect(reserved('AlertsFanout')).toBeGreaterThanOrEqual(
      streamShards * parallelization + maximumConcurrency(continuationMapping()),
    );
  });

  it('leaves the API unreserved: it draws on the rest of the pool', () => {
    expect(resourceNamed(template, 'AWS::Lambda::Function', 'ApiHandler').Properties).not.toHaveProperty(
      'ReservedConcurrentExecutions',
    );
  });

  it('lets delivery reach its event source maximum concurrency without throttles', () => {
    expect(reserved('AlertsDeliver')).toBeGreaterThanOrEqual(maximumConcurrency(deliveryMapping()));
  });

  it('reserves 38 in all, at most a tenth of the default account pool (1,000): the quota must be ≥ 138', () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function'));
    const total = functions.reduce(
      (sum, fn) => sum + ((fn.Properties.ReservedConcurrentExecutions as number | undefined) ?? 0),
      0,
    );
    expect(total).toBe(38);
    expect(Object.values(reservedConcurrency).reduce((sum, n) => sum + n, 0)).toBe(total);
    expect(total).toBeLessThanOrEqual(100);
  });
});

describe('queues', () => {
  const queue = (prefix: string) => resourceNamed(template, 'AWS::SQS::Queue', prefix).Properties;
  const queues = [
    'QueuesDelivery',
    'QueuesDeliveryDeadLetters',
    'QueuesFanoutContinuations',
    'QueuesFanoutContinuationDeadLetters',
    'QueuesStreamFailures',
  ];

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

  it('dead-letters a fan-out continuation after 5 receives', () => {
    expect(queue('QueuesFanoutContinuations').RedrivePolicy).toEqual({
      deadLetterTargetArn: queueArn('QueuesFanoutContinuationDeadLetters'),
      maxReceiveCount: 5,
    });
  });

  it('hides a received continuation for 360 s, 6× the fan-out function timeout of 60 s', () => {
    const timeout = resourceNamed(template, 'AWS::Lambda::Function', 'AlertsFanout').Properties
      .Timeout as number;
    expect(timeout).toBe(60);
    expect(queue('QueuesFanoutContinuations').VisibilityTimeout).toBe(360);
    expect(queue('QueuesFanoutContinuations').VisibilityTimeout).toBe(6 * timeout);
  });

  it.each(['QueuesDeliveryDeadLetters', 'QueuesFanoutContinuationDeadLetters', 'QueuesStreamFailures'])(
    '%s is terminal: it dead-letters nowhere further',
    (prefix) => {
      expect(queue(prefix)).not.toHaveProperty('RedrivePolicy');
    },
  );

  it.each(queues)('%s keeps messages 14 days, encrypted by SQS', (prefix) => {
    expect(queue(prefix)).toMatchObject({
      MessageRetentionPeriod: 14 * 24 * 3600,
      SqsManagedSseEnabled: true,
    });
  });

  it.each(queues)('%s refuses requests without TLS', (prefix) => {
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
  });
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
