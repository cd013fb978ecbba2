import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { queueActions } from '../../infra/constructs/bindings.ts';
import { tableDefinition } from '../../shared/store/table.ts';
import { logicalId, synth } from './synth.ts';

interface Statement {
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource?: unknown;
  Principal?: unknown;
}

let template: Template;
let statementsByFunction: Record<string, Statement[]>;

const functionPrefixes = {
  api: 'ApiHandler',
  fanout: 'AlertsFanout',
  deliver: 'AlertsDeliver',
  sweep: 'AlertsSweep',
  mailEvents: 'MailEventsHandler',
  digest: 'DigestsHandler',
};
const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** Logical ids a value refers to (Ref / Fn::GetAtt), pseudo parameters left out. */
function referencedIds(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(referencedIds);
  if (value === null || typeof value !== 'object') return [];
  const record = value as Record<string, unknown>;
  if (typeof record.Ref === 'string') return record.Ref.startsWith('AWS::') ? [] : [record.Ref];
  if (Array.isArray(record['Fn::GetAtt'])) return [record['Fn::GetAtt'][0] as string];
  return Object.values(record).flatMap(referencedIds);
}

/** `QueuesDeliveryACBB69CE` → `QueuesDelivery`: the construct path without CDK's hash. */
const withoutHash = (id: string) => id.replace(/[0-9A-F]{8}$/, '');

/** For one function: action → the (hash-less) resources it is allowed on. */
function grants(key: keyof typeof functionPrefixes): Record<string, string[]> {
  const out: Record<string, Set<string>> = {};
  for (const statement of statementsByFunction[key] ?? []) {
    for (const action of list(statement.Action)) {
      out[action] ??= new Set();
      for (const id of referencedIds(statement.Resource)) out[action].add(withoutHash(id));
    }
  }
  return Object.fromEntries(Object.entries(out).map(([action, ids]) => [action, [...ids].sort()]));
}

function allStatements(): Statement[] {
  const documents: unknown[] = [];
  const resources = template.toJSON().Resources as Record<string, { Properties?: Record<string, unknown> }>;
  for (const resource of Object.values(resources)) {
    const props = resource.Properties ?? {};
    for (const key of ['PolicyDocument', 'AssumeRolePolicyDocument'])
      if (props[key]) documents.push(props[key]);
    for (const policy of (props.Policies as { PolicyDocument: unknown }[] | undefined) ?? []) {
      documents.push(policy.PolicyDocument);
    }
  }
  return documents.flatMap((document) => (document as { Statement: Statement[] }).Statement);
}

beforeAll(() => {
  template = synth().template;
  const policies = Object.values(template.findResources('AWS::IAM::Policy'));
  statementsByFunction = Object.fromEntries(
    Object.entries(functionPrefixes).map(([key, prefix]) => {
      const role = logicalId(template, 'AWS::IAM::Role', `${prefix}Role`);
      const attached = policies.filter((policy) => referencedIds(policy.Properties.Roles).includes(role));
      return [key, attached.flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[])];
    }),
  );
});

const tableRead = ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query'];
const tableWrite = ['dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'];
const onTable = (actions: string[]) =>
  Object.fromEntries(actions.map((action) => [action, ['StorageTable']]));

/**
 * The global secondary indexes each function queries, and whether it calls BatchWriteItem, as read
 * from the code: only the sweeper queries indexes (shared/alerts/change-feed.ts on `feed`,
 * DeliveryRepository.due on `due`), and only a single-writer DeliveryRepository, which the local
 * runtime alone builds, writes in batches.
 */
const tableUse: Record<keyof typeof functionPrefixes, { indexes: string[]; batchWrite: boolean }> = {
  api: { indexes: [], batchWrite: false },
  fanout: { indexes: [], batchWrite: false },
  deliver: { indexes: [], batchWrite: false },
  sweep: { indexes: ['due', 'feed'], batchWrite: false },
  mailEvents: { indexes: [], batchWrite: false },
  digest: { indexes: ['due'], batchWrite: false },
};

/** The index ARNs (as CloudFormation renders them) a function may Query. */
function queryableIndexes(key: keyof typeof functionPrefixes): string[] {
  return (statementsByFunction[key] ?? [])
    .filter((statement) => JSON.stringify(statement.Resource).includes('/index/'))
    .flatMap((statement) => {
      expect(list(statement.Action)).toEqual(['dynamodb:Query']);
      return list(statement.Resource).map((arn) => {
        const parts = (arn as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
        return String(parts.at(-1)).replace(/^\/index\//, '');
      });
    })
    .sort();
}
const logsOf = (prefix: string) => ({
  'logs:CreateLogStream': [`${prefix}Logs`],
  'logs:PutLogEvents': [`${prefix}Logs`],
});

describe('IAM everywhere', () => {
  it('has no statement with the action "*" or "*:*"', () => {
    const actions = allStatements().flatMap((statement) => list(statement.Action));
    expect(actions.length).toBeGreaterThan(0);
    expect(actions.filter((action) => action === '*' || action === '*:*')).toEqual([]);
  });

  it('allows no wildcard action (service:* is only used in Deny statements)', () => {
    const allowed = allStatements()
      .filter((statement) => statement.Effect === 'Allow')
      .flatMap((statement) => list(statement.Action));
    expect(allowed.filter((action) => action.includes('*'))).toEqual([]);
  });

  it('grants no role permission on the resource "*" or any literal wildcard ARN', () => {
    const resources = Object.values(statementsByFunction)
      .flat()
      .flatMap((statement) => list(statement.Resource));
    expect(resources.filter((resource) => JSON.stringify(resource).includes('*'))).toEqual([]);
  });

  it('attaches no AWS managed policy to any role', () => {
    for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });

  it('lets only Lambda assume the function roles', () => {
    for (const prefix of Object.values(functionPrefixes)) {
      const role = template.toJSON().Resources[logicalId(template, 'AWS::IAM::Role', `${prefix}Role`)];
      expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
        { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
      ]);
    }
  });
});

describe('function roles: exactly the actions the code needs, on the resources it uses', () => {
  it('api: its logs, table read/write, secret read, queue send', () => {
    expect(grants('api')).toEqual({
      ...logsOf('ApiHandler'),
      ...onTable([...tableRead, ...tableWrite]),
      'secretsmanager:GetSecretValue': ['SecretsTokenSigningKey'],
      'sqs:SendMessage': ['QueuesDelivery'],
    });
  });

  it('fanout: its logs, table read/write, sending to both queues, plus consuming its continuation queue, reading the stream and the on-failure destination', () => {
    expect(grants('fanout')).toEqual({
      ...logsOf('AlertsFanout'),
      ...onTable([...tableRead, ...tableWrite]),
      // bindQueue: deliveries and its own continuations; the stream source: the on-failure destination.
      'sqs:SendMessage': ['QueuesDelivery', 'QueuesFanoutContinuations', 'QueuesStreamFailures'],
      // The continuation queue's event source consumes it (and sends failed batches to StreamFailures).
      'sqs:ReceiveMessage': ['QueuesFanoutContinuations'],
      'sqs:DeleteMessage': ['QueuesFanoutContinuations'],
      'sqs:ChangeMessageVisibility': ['QueuesFanoutContinuations'],
      'sqs:GetQueueAttributes': ['QueuesFanoutContinuations', 'QueuesStreamFailures'],
      'sqs:GetQueueUrl': ['QueuesFanoutContinuations', 'QueuesStreamFailures'],
      'dynamodb:DescribeStream': ['StorageTable'],
      'dynamodb:GetRecords': ['StorageTable'],
      'dynamodb:GetShardIterator': ['StorageTable'],
      'dynamodb:ListStreams': ['StorageTable'],
    });
  });

  it('deliver: its logs, table read/write, secret read, queue send (delayed retries), SES send, plus consuming its queue', () => {
    expect(grants('deliver')).toEqual({
      ...logsOf('AlertsDeliver'),
      ...onTable([...tableRead, ...tableWrite]),
      'secretsmanager:GetSecretValue': ['SecretsTokenSigningKey'],
      'sqs:SendMessage': ['QueuesDelivery'],
      // Granted by the delivery queue's event source, not by bindQueue: Lambda deletes what succeeded
      // and returns what failed; the function's code calls neither.
      'sqs:ChangeMessageVisibility': ['QueuesDelivery'],
      'sqs:ReceiveMessage': ['QueuesDelivery'],
      'sqs:DeleteMessage': ['QueuesDelivery'],
      'sqs:GetQueueAttributes': ['QueuesDelivery'],
      'sqs:GetQueueUrl': ['QueuesDelivery'],
      'ses:SendEmail': ['SenderConfigurationSet', 'SenderIdentity'],
      'ses:SendRawEmail': ['SenderConfigurationSet', 'SenderIdentity'],
    });
  });

  it('mailEvents: its logs, reading and saving subscriptions (and deleting their index items), plus consuming its queue', () => {
    expect(grants('mailEvents')).toEqual({
      ...logsOf('MailEventsHandler'),
      // No Query, BatchGetItem or UpdateItem: SubscriptionRepository.get and .save need none.
      ...onTable(['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem']),
      // Granted by its queue's event source; the code sends nothing anywhere.
      'sqs:ChangeMessageVisibility': ['MailEventsQueue'],
      'sqs:ReceiveMessage': ['MailEventsQueue'],
      'sqs:DeleteMessage': ['MailEventsQueue'],
      'sqs:GetQueueAttributes': ['MailEventsQueue'],
      'sqs:GetQueueUrl': ['MailEventsQueue'],
    });
  });

  it('binds queues for sending only: no function code changes a message visibility', () => {
    // The event sources' own grants (above) still include ChangeMessageVisibility; with
    // minimizePolicies they share one statement with SendMessage, so the binding is checked here.
    expect(queueActions).toEqual({ send: ['sqs:SendMessage'] });
  });

  it('sweep: its logs, table read/write and Query on both indexes, sending to the delivery and continuation queues', () => {
    expect(grants('sweep')).toEqual({
      ...logsOf('AlertsSweep'),
      ...onTable([...tableRead, ...tableWrite]),
      'sqs:SendMessage': ['QueuesDelivery', 'QueuesFanoutContinuations'],
    });
    expect(queryableIndexes('sweep')).toEqual(['due', 'feed']);
  });

  it('digest: its logs, table read/write and Query on the due index, sending deliveries and its own continuations, plus consuming them', () => {
    expect(grants('digest')).toEqual({
      ...logsOf('DigestsHandler'),
      ...onTable([...tableRead, ...tableWrite]),
      'sqs:SendMessage': ['DigestsContinuations', 'QueuesDelivery'],
      'sqs:ChangeMessageVisibility': ['DigestsContinuations'],
      'sqs:ReceiveMessage': ['DigestsContinuations'],
      'sqs:DeleteMessage': ['DigestsContinuations'],
      'sqs:GetQueueAttributes': ['DigestsContinuations'],
      'sqs:GetQueueUrl': ['DigestsContinuations'],
    });
    expect(queryableIndexes('digest')).toEqual(['due']);
  });

  it.each(Object.keys(functionPrefixes) as (keyof typeof functionPrefixes)[])(
    '%s may Query exactly the indexes its code queries, and nothing else on an index',
    (key) => {
      expect(queryableIndexes(key)).toEqual(tableUse[key].indexes);
    },
  );

  it.each(Object.keys(functionPrefixes) as (keyof typeof functionPrefixes)[])(
    '%s is granted BatchWriteItem only if its code writes in batches',
    (key) => {
      const batchWrite = (statementsByFunction[key] ?? []).some((statement) =>
        list(statement.Action).includes('dynamodb:BatchWriteItem'),
      );
      expect(batchWrite).toBe(tableUse[key].batchWrite);
    },
  );

  it('names only declared indexes, each by its own ARN under the table', () => {
    const table = logicalId(template, 'AWS::DynamoDB::GlobalTable', 'StorageTable');
    const tableArn = { 'Fn::GetAtt': [table, 'Arn'] };
    const declared = tableDefinition.globalSecondaryIndexes.map((index) => index.indexName as string);
    for (const statements of Object.values(statementsByFunction)) {
      for (const statement of statements.filter((s) => JSON.stringify(s.Resource).includes('/index/'))) {
        for (const arn of list(statement.Resource)) {
          const [, parts] = (arn as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
          expect(parts[0]).toEqual(tableArn);
          expect(declared.map((name) => `/index/${name}`)).toContain(parts[1]);
        }
      }
    }
  });

  it('allows item actions on the table itself, not on its indexes', () => {
    const tableArn = {
      'Fn::GetAtt': [logicalId(template, 'AWS::DynamoDB::GlobalTable', 'StorageTable'), 'Arn'],
    };
    for (const statements of Object.values(statementsByFunction)) {
      const itemStatement = statements.find((statement) =>
        list(statement.Action).includes('dynamodb:PutItem'),
      );
      expect(itemStatement?.Resource).toEqual(tableArn);
    }
  });
});
