/**
 * Creates the stack's resources on moto from the synthesized CloudFormation template itself —
 * the table with its stream, GSIs and TTL, the queues with their redrive policies, the secret,
 * the SES identity and configuration set, the SNS topics with their queue subscriptions — and
 * reads from the same template what Lambda and SES would be given: each
 * function's environment (references resolved to the moto resources), timeout and event source
 * mappings (filter criteria, batch sizes, retries), and the topic SES publishes mail events to.
 * Nothing here restates a declaration.
 */
import { randomBytes } from 'node:crypto';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DynamoDBClient,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  CreateConfigurationSetCommand,
  CreateEmailIdentityCommand,
  SESv2Client,
} from '@aws-sdk/client-sesv2';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { type CfnResource, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { DatelineStack } from '../../infra/dateline-stack.ts';
import { synth } from '../infra/synth.ts';

/** The Lambda entries under functions/. */
export type FunctionName = 'api' | 'fanout' | 'deliver' | 'sweep' | 'mail-events' | 'digest';

export interface EventSourceMapping {
  /** The function it invokes. */
  target: FunctionName;
  source: { kind: 'stream'; streamArn: string } | { kind: 'queue'; queueUrl: string; queueArn: string };
  batchSize: number;
  /** Event filter patterns (JSON, as Lambda takes them); a record passes when any matches. */
  filterPatterns: unknown[];
  reportBatchItemFailures: boolean;
  maximumRetryAttempts?: number;
  maximumConcurrency?: number;
}

export interface StackOnMoto {
  endpoint: string;
  region: string;
  tableName: string;
  /** Queue URL by the queue's construct path tail (`Delivery`, `DeliveryDeadLetters`, …). */
  queues: Record<string, { url: string; arn: string }>;
  /** The environment each function gets, as the template sets it. */
  environments: Record<FunctionName, Record<string, string>>;
  /** Each function's timeout (the remaining time its Lambda context reports). */
  timeoutsMs: Record<FunctionName, number>;
  mappings: EventSourceMapping[];
  /** The sweep schedule's expression, e.g. `rate(5 minutes)`. */
  sweepSchedule: string;
  /** The digest schedule's expression, e.g. `cron(0 * * * ? *)`. */
  digestSchedule: string;
  /** The SES identity the functions send as. */
  senderAddress: string;
  /** The topic the configuration set's event destination publishes SES mail events to. */
  mailEventsTopicArn: string;
  /** One call of SNS's query API on moto (the project has no SNS client): the response XML. */
  sns(action: string, params: Record<string, string>): Promise<string>;
  clients: { dynamodb: DynamoDBClient; sqs: SQSClient };
}

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation properties are untyped JSON, read as the template has them
type Properties = Record<string, any>;
type Template = { Resources: Record<string, { Type: string; Properties: Properties }> };

const clientConfig = (endpoint: string, region: string) => ({
  endpoint,
  region,
  credentials: { accessKeyId: 'moto', secretAccessKey: 'moto' },
});

/** Synthesizes the stack and creates its stateful resources on moto under names starting with `prefix`. */
export async function createStackOnMoto(
  endpoint: string,
  prefix: string,
  publicUrl: string,
): Promise<StackOnMoto> {
  const { stack, template: assertions } = synth();
  const template = assertions.toJSON() as Template;
  const region = stack.region;
  const config = clientConfig(endpoint, region);
  const dynamodb = new DynamoDBClient(config);
  const sqs = new SQSClient(config);
  const byType = (type: string) =>
    Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);

  // Refs and GetAtts of the template, resolved as the resources get created.
  const refs = new Map<string, string>();
  const attributes = new Map<string, string>();

  const tables = byType('AWS::DynamoDB::GlobalTable');
  if (tables.length !== 1) throw new Error(`expected one table in the template, found ${tables.length}`);
  const [tableId, table] = tables[0]!;
  const tableName = `${prefix}-table`;
  const created = await dynamodb.send(new CreateTableCommand(tableInput(tableName, table.Properties)));
  refs.set(tableId, tableName);
  attributes.set(`${tableId}.StreamArn`, created.TableDescription?.LatestStreamArn ?? '');
  const ttl = table.Properties.TimeToLiveSpecification;
  if (ttl?.Enabled) {
    await dynamodb.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: ttl.AttributeName, Enabled: true },
      }),
    );
  }

  // Dead-letter queues first: a redrive policy names its target's ARN.
  const queues: StackOnMoto['queues'] = {};
  const queueResources = byType('AWS::SQS::Queue').sort(
    ([, a], [, b]) =>
      Number(a.Properties.RedrivePolicy !== undefined) - Number(b.Properties.RedrivePolicy !== undefined),
  );
  for (const [id, queue] of queueResources) {
    const name = constructName(stack, id);
    const props = queue.Properties;
    const attributesIn: Record<string, string> = {};
    if (props.VisibilityTimeout !== undefined)
      attributesIn.VisibilityTimeout = String(props.VisibilityTimeout);
    if (props.MessageRetentionPeriod !== undefined)
      attributesIn.MessageRetentionPeriod = String(props.MessageRetentionPeriod);
    if (props.DelaySeconds !== undefined) attributesIn.DelaySeconds = String(props.DelaySeconds);
    if (props.RedrivePolicy) {
      attributesIn.RedrivePolicy = JSON.stringify({
        deadLetterTargetArn: resolve(props.RedrivePolicy.deadLetterTargetArn, refs, attributes),
        maxReceiveCount: props.RedrivePolicy.maxReceiveCount,
      });
    }
    const { QueueUrl } = await sqs.send(
      new CreateQueueCommand({ QueueName: `${prefix}-${name}`, Attributes: attributesIn }),
    );
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    queues[name] = { url: QueueUrl!, arn: Attributes!.QueueArn! };
    refs.set(id, QueueUrl!);
    attributes.set(`${id}.Arn`, Attributes!.QueueArn!);
  }

  const secrets = new SecretsManagerClient(config);
  for (const [id, secret] of byType('AWS::SecretsManager::Secret')) {
    const length = secret.Properties.GenerateSecretString?.PasswordLength ?? 32;
    const { ARN } = await secrets.send(
      new CreateSecretCommand({
        Name: `${prefix}-${constructName(stack, id)}`,
        SecretString: randomBytes(length).toString('base64url').slice(0, length),
      }),
    );
    refs.set(id, ARN!);
  }

  const ses = new SESv2Client(config);
  const identities = byType('AWS::SES::EmailIdentity').map(
    ([, identity]) => identity.Properties.EmailIdentity,
  );
  for (const identity of identities)
    await ses.send(new CreateEmailIdentityCommand({ EmailIdentity: identity })).catch((error: Error) => {
      if (error.name !== 'AlreadyExistsException') throw error;
    });

  for (const [id] of byType('AWS::SES::ConfigurationSet')) {
    const name = `${prefix}-${constructName(stack, id)}`;
    await ses.send(new CreateConfigurationSetCommand({ ConfigurationSetName: name }));
    refs.set(id, name);
  }

  const sns = (action: string, params: Record<string, string>) => snsAction(endpoint, region, action, params);
  for (const [id] of byType('AWS::SNS::Topic')) {
    const created = await sns('CreateTopic', { Name: `${prefix}-${constructName(stack, id)}` });
    refs.set(id, xmlValue(created, 'TopicArn'));
  }
  for (const [, subscription] of byType('AWS::SNS::Subscription')) {
    const props = subscription.Properties;
    const attributesOf: [string, string][] = [];
    if (props.RawMessageDelivery) attributesOf.push(['RawMessageDelivery', 'true']);
    if (props.RedrivePolicy) {
      const target = resolve(props.RedrivePolicy.deadLetterTargetArn, refs, attributes);
      attributesOf.push(['RedrivePolicy', JSON.stringify({ deadLetterTargetArn: target })]);
    }
    await sns('Subscribe', {
      TopicArn: resolve(props.TopicArn, refs, attributes),
      Protocol: props.Protocol,
      Endpoint: resolve(props.Endpoint, refs, attributes),
      ...Object.fromEntries(
        attributesOf.flatMap(([key, value], i) => [
          [`Attributes.entry.${i + 1}.key`, key],
          [`Attributes.entry.${i + 1}.value`, value],
        ]),
      ),
    });
  }
  const destinations = byType('AWS::SES::ConfigurationSetEventDestination');
  if (destinations.length !== 1)
    throw new Error(`expected one SES event destination, found ${destinations.length}`);
  const mailEventsTopicArn = resolve(
    destinations[0]![1].Properties.EventDestination.SnsDestination.TopicARN,
    refs,
    attributes,
  );

  const functions = functionIds(stack);
  const environments = {} as StackOnMoto['environments'];
  const timeoutsMs = {} as StackOnMoto['timeoutsMs'];
  for (const [name, id] of Object.entries(functions) as [FunctionName, string][]) {
    const props = template.Resources[id]!.Properties;
    const variables: Record<string, unknown> = props.Environment?.Variables ?? {};
    environments[name] = Object.fromEntries(
      Object.entries(variables).map(([key, value]) => [
        key,
        // The API's own URL exists only once API Gateway does: links point at the test's stand-in.
        key === 'PUBLIC_URL' ? publicUrl : resolve(value, refs, attributes),
      ]),
    );
    timeoutsMs[name] = (props.Timeout ?? 3) * 1000;
  }

  const nameOfFunction = new Map(Object.entries(functions).map(([name, id]) => [id, name as FunctionName]));
  const mappings = byType('AWS::Lambda::EventSourceMapping').map(([, mapping]): EventSourceMapping => {
    const props = mapping.Properties;
    const target = nameOfFunction.get(props.FunctionName.Ref);
    if (!target)
      throw new Error(`event source mapping to an unknown function ${JSON.stringify(props.FunctionName)}`);
    const sourceArn = resolve(props.EventSourceArn, refs, attributes);
    const queue = Object.values(queues).find((candidate) => candidate.arn === sourceArn);
    return {
      target,
      source: queue
        ? { kind: 'queue', queueUrl: queue.url, queueArn: queue.arn }
        : { kind: 'stream', streamArn: sourceArn },
      batchSize: props.BatchSize ?? 10,
      filterPatterns: (props.FilterCriteria?.Filters ?? []).map((filter: { Pattern: string }) =>
        JSON.parse(filter.Pattern),
      ),
      reportBatchItemFailures: (props.FunctionResponseTypes ?? []).includes('ReportBatchItemFailures'),
      ...(props.MaximumRetryAttempts !== undefined
        ? { maximumRetryAttempts: props.MaximumRetryAttempts }
        : {}),
      ...(props.ScalingConfig?.MaximumConcurrency !== undefined
        ? { maximumConcurrency: props.ScalingConfig.MaximumConcurrency }
        : {}),
    };
  });

  const scheduleOf = (name: FunctionName): string => {
    const rules = byType('AWS::Events::Rule').filter(([, rule]) =>
      rule.Properties.Targets?.some((t: { Arn: unknown }) => JSON.stringify(t.Arn).includes(functions[name])),
    );
    const expression = rules[0]?.[1].Properties.ScheduleExpression;
    if (!expression) throw new Error(`no schedule targets the ${name} function`);
    return expression;
  };
  const sweepSchedule = scheduleOf('sweep');
  const digestSchedule = scheduleOf('digest');

  return {
    endpoint,
    region,
    tableName,
    queues,
    environments,
    timeoutsMs,
    mappings,
    sweepSchedule,
    digestSchedule,
    senderAddress: identities[0] ?? '',
    mailEventsTopicArn,
    sns,
    clients: { dynamodb, sqs },
  };
}

/**
 * An SNS query-API call on moto. The credential scope names the region (moto reads it from there);
 * moto does not check signatures.
 */
async function snsAction(
  endpoint: string,
  region: string,
  action: string,
  params: Record<string, string>,
): Promise<string> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `AWS4-HMAC-SHA256 Credential=moto/20240628/${region}/sns/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: new URLSearchParams({ Action: action, Version: '2010-03-31', ...params }).toString(),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`SNS ${action} on moto failed (${response.status}): ${text}`);
  return text;
}

/** The text of the first <name> element of an XML answer. */
function xmlValue(xml: string, name: string): string {
  const value = new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];
  if (value === undefined) throw new Error(`no ${name} in ${xml}`);
  return value;
}

/** CreateTable from the template's table: keys, attributes, GSIs, billing, stream. */
function tableInput(tableName: string, props: Properties): CreateTableCommandInput {
  return {
    TableName: tableName,
    KeySchema: props.KeySchema,
    AttributeDefinitions: props.AttributeDefinitions,
    BillingMode: props.BillingMode,
    GlobalSecondaryIndexes: (props.GlobalSecondaryIndexes ?? []).map((index: Record<string, unknown>) => ({
      IndexName: index.IndexName,
      KeySchema: index.KeySchema,
      Projection: index.Projection,
    })),
    ...(props.StreamSpecification
      ? {
          StreamSpecification: {
            StreamEnabled: true,
            StreamViewType: props.StreamSpecification.StreamViewType,
          },
        }
      : {}),
  };
}

/** A Ref or GetAtt to a resource created on moto; a literal as it is. Anything else is refused. */
function resolve(value: unknown, refs: Map<string, string>, attributes: Map<string, string>): string {
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  const object = value as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
  if (object.Ref && refs.has(object.Ref)) return refs.get(object.Ref)!;
  const getAtt = object['Fn::GetAtt'];
  if (getAtt && attributes.has(`${getAtt[0]}.${getAtt[1]}`))
    return attributes.get(`${getAtt[0]}.${getAtt[1]}`)!;
  throw new Error(`cannot resolve ${JSON.stringify(value)} on moto`);
}

/** The last construct id on the path of the resource (`Delivery` for Queues/Delivery/Resource). */
function constructName(stack: Stack, logicalId: string): string {
  const resource = stack.node
    .findAll()
    .find(
      (node: IConstruct) =>
        (node as CfnResource).cfnResourceType && stack.getLogicalId(node as CfnResource) === logicalId,
    );
  const path = resource?.node.path.split('/') ?? [logicalId];
  const last = path.at(-1) === 'Resource' ? path.at(-2) : path.at(-1);
  return last ?? logicalId;
}

/** The logical ids of the functions, from the stack's constructs. */
function functionIds(stack: DatelineStack): Record<FunctionName, string> {
  const dateline = stack;
  const id = (fn: IConstruct) => Stack.of(fn).getLogicalId(fn.node.defaultChild as CfnResource);
  return {
    api: id(dateline.api.handler),
    fanout: id(dateline.alerts.fanout),
    deliver: id(dateline.alerts.deliver),
    sweep: id(dateline.alerts.sweep),
    'mail-events': id(dateline.mailEvents.handler),
    digest: id(dateline.digests.handler),
  };
}
