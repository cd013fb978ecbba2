import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { tableDefinition } from '../../shared/store/table.ts';
import { logicalId, synth } from './synth.ts';

let template: Template;
let stackName: string;
let assemblyDirectory: string;

beforeAll(() => {
  ({
    template,
    assemblyDirectory,
    stack: { stackName },
  } = synth({}, { cloudFormationValidation: true }));
});

describe('DatelineStack', () => {
  it('is named after the stage, dev by default', () => {
    expect(stackName).toBe('Dateline-dev');
  });

  it.each([
    ['AWS::DynamoDB::GlobalTable', 1],
    ['AWS::Lambda::Function', 6],
    ['AWS::Lambda::EventSourceMapping', 5],
    ['AWS::SQS::Queue', 9],
    ['AWS::ApiGatewayV2::Api', 1],
    ['AWS::ApiGatewayV2::Route', 1],
    ['AWS::SecretsManager::Secret', 1],
    // The alarm topic and the SES mail-events topic.
    ['AWS::SNS::Topic', 2],
    // The sweeper's schedule and the digests' hourly one.
    ['AWS::Events::Rule', 2],
    ['AWS::CloudWatch::Dashboard', 1],
    ['AWS::Logs::LogGroup', 7],
  ])('has %s × %i', (type, count) => {
    template.resourceCountIs(type, count);
  });

  it('creates no custom resources (no log-retention or other helper Lambdas)', () => {
    const types = Object.values(template.toJSON().Resources as Record<string, { Type: string }>).map(
      (r) => r.Type,
    );
    expect(
      types.filter((type) => type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource'),
    ).toEqual([]);
  });

  it('passes CloudFormation schema validation and cdk-nag with nothing to report', () => {
    const report = JSON.parse(readFileSync(join(assemblyDirectory, 'validation-report.json'), 'utf8')) as {
      pluginReports: { violations?: unknown[] }[];
    };
    expect(report.pluginReports.flatMap((plugin) => plugin.violations ?? [])).toEqual([]);
  });

  it('outputs the API URL and the table name', () => {
    template.hasOutput('ApiUrl', { Value: Match.anyValue() });
    template.hasOutput('TableName', {
      Value: { Ref: logicalId(template, 'AWS::DynamoDB::GlobalTable', 'StorageTable') },
    });
  });
});

describe('Storage table', () => {
  it('is built from tableDefinition: key schema and string attributes', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: [
        { AttributeName: tableDefinition.partitionKey, KeyType: 'HASH' },
        { AttributeName: tableDefinition.sortKey, KeyType: 'RANGE' },
      ],
      AttributeDefinitions: Match.arrayWith([
        { AttributeName: tableDefinition.partitionKey, AttributeType: 'S' },
        { AttributeName: tableDefinition.sortKey, AttributeType: 'S' },
      ]),
    });
  });

  it('has exactly the global secondary indexes of tableDefinition', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      GlobalSecondaryIndexes: tableDefinition.globalSecondaryIndexes.map((index) => ({
        IndexName: index.indexName,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: 'HASH' },
          { AttributeName: index.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: index.projection },
      })),
    });
  });

  it('declares every key attribute as a string', () => {
    const attributes = tableDefinition.globalSecondaryIndexes.flatMap((index) => [
      index.partitionKey,
      index.sortKey,
    ]);
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      AttributeDefinitions: Match.arrayWith(
        attributes.map((name) => ({ AttributeName: name, AttributeType: 'S' })),
      ),
    });
  });

  it('bills on demand', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', { BillingMode: 'PAY_PER_REQUEST' });
  });

  it('has point-in-time recovery and deletion protection', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      Replicas: [
        Match.objectLike({
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          DeletionProtectionEnabled: true,
        }),
      ],
    });
  });

  it('is retained when the stack is deleted or the table replaced', () => {
    template.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  it('streams new and old images', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
    });
  });

  it('expires items by the declared TTL attribute', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      TimeToLiveSpecification: { AttributeName: tableDefinition.timeToLiveAttribute, Enabled: true },
    });
  });

  it('is encrypted with a KMS key', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
    });
  });
});

describe('Token signing secret', () => {
  it('is generated by Secrets Manager, long and without punctuation', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({ PasswordLength: 64, ExcludePunctuation: true }),
    });
  });

  it('is retained with the table', () => {
    template.hasResource('AWS::SecretsManager::Secret', { DeletionPolicy: 'Retain' });
  });
});
