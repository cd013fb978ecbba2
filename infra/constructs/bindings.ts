/**
 * Each helper grants exactly the actions the function's code calls AND sets the environment
 * variable the code reads to find the resource, so a permission and its use cannot drift apart.
 * No helper grants a wildcard action; every resource is named.
 */
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IndexName } from '../../shared/store/table.ts';

export type TableAccess = 'RO' | 'RW';
export type QueueAccess = 'send';

/**
 * What a function does with the table. Item actions come with the access level; the two grants
 * that only some code paths need are asked for by name, so a function gets them only when its
 * code calls them:
 * - `batchWrite`: BatchWriteItem (shared/store/dynamo.ts `batchWrite`). Only a single-writer
 *   DeliveryRepository writes in batches, and that is the local runtime's; no function on AWS does.
 * - `indexes`: Query on each named global secondary index (the `feed` and `due` queries of
 *   shared/alerts/change-feed.ts and DeliveryRepository.due). A table Query grant does not cover
 *   an index, and naming each keeps the grant off indexes added later.
 */
export type TableBinding =
  | { access: 'RO'; batchWrite?: never; indexes?: readonly IndexName[]; only?: readonly TableAction[] }
  | { access: 'RW'; batchWrite?: boolean; indexes?: readonly IndexName[]; only?: readonly TableAction[] };

/**
 * An item action of the table; `only` narrows a binding to those of its access level the code
 * calls (e.g. the mail-events function reads and saves subscriptions: GetItem, PutItem, DeleteItem).
 */
export type TableAction = (typeof tableReadActions)[number] | (typeof tableWriteActions)[number];

const tableReadActions = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'] as const;
const tableWriteActions = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'] as const;

/** The table actions each access level allows (exported for the infra tests). */
export const tableActions: Record<TableAccess, readonly string[]> = {
  RO: tableReadActions,
  RW: [...tableReadActions, ...tableWriteActions],
};

export const queueActions: Record<QueueAccess, readonly string[]> = {
  // SendMessageBatch is authorised by sqs:SendMessage.
  send: ['sqs:SendMessage'],
};

export const sesSendActions: readonly string[] = ['ses:SendEmail', 'ses:SendRawEmail'];

/** The ARN of one of the table's declared indexes. */
function indexArn(table: ITableV2, indexName: IndexName): string {
  return `${table.tableArn}/index/${indexName}`;
}

/** Grants the table access `binding` describes (see TableBinding) and sets TABLE_NAME. */
export function bindTable(fn: LambdaFunction, table: ITableV2, binding: TableBinding): void {
  const allowed: readonly string[] = tableActions[binding.access];
  const outside = (binding.only ?? []).filter((action) => !allowed.includes(action));
  if (outside.length > 0) throw new Error(`${outside.join(', ')} is beyond ${binding.access} access`);
  const actions: string[] = [...(binding.only ?? allowed)];
  if (binding.batchWrite) actions.push('dynamodb:BatchWriteItem');
  fn.addToRolePolicy(new PolicyStatement({ actions, resources: [table.tableArn] }));
  const indexes = [...new Set(binding.indexes ?? [])];
  if (indexes.length > 0) {
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: indexes.map((name) => indexArn(table, name)),
      }),
    );
  }
  fn.addEnvironment('TABLE_NAME', table.tableName);
}

/** Grants one kind of queue access and sets the queue's URL under `envName`. */
export function bindQueue(
  fn: LambdaFunction,
  queue: IQueue,
  access: QueueAccess,
  envName = 'DELIVERY_QUEUE_URL',
): void {
  fn.addToRolePolicy(
    new PolicyStatement({ actions: [...queueActions[access]], resources: [queue.queueArn] }),
  );
  fn.addEnvironment(envName, queue.queueUrl);
}

/** Grants reading the secret's value and sets its ARN under `envName`. */
export function bindSecret(fn: LambdaFunction, secret: ISecret, envName = 'TOKEN_SECRET_ARN'): void {
  fn.addToRolePolicy(
    new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secret.secretArn] }),
  );
  fn.addEnvironment(envName, secret.secretArn);
}

/** What SES needs to know about the sender; see sender.ts. */
export interface MailSender {
  address: string;
  identityArn: string;
  configurationSetArn?: string;
  configurationSetName?: string;
}

/**
 * Grants sending mail as the sender's identity and sets MAIL_FROM. SES authorises a send
 * against the identity and, when one applies, the configuration set, which the code names on
 * every send (MAIL_CONFIGURATION_SET) so its events are published whoever owns the identity.
 */
export function bindSender(fn: LambdaFunction, sender: MailSender): void {
  const resources = [sender.identityArn];
  if (sender.configurationSetArn) resources.push(sender.configurationSetArn);
  fn.addToRolePolicy(new PolicyStatement({ actions: [...sesSendActions], resources }));
  fn.addEnvironment('MAIL_FROM', sender.address);
  if (sender.configurationSetName) fn.addEnvironment('MAIL_CONFIGURATION_SET', sender.configurationSetName);
}
