import { App, CfnResource, Validations } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks, NagRuleCompliance, rules } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../infra/app.ts';
import type { DatelineStack } from '../../infra/dateline-stack.ts';
import { synth } from './synth.ts';

let app: App;
let stack: DatelineStack;

beforeAll(() => {
  ({ app, stack } = synth());
});

function acknowledgments(root: IConstruct): { path: string; id: string; reason: string }[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}

describe('cdk-nag AwsSolutions', () => {
  it('finds no unacknowledged error or warning', () => {
    const report = new AwsSolutionsChecks(app).validateScope(app);
    expect(report.violations.map((violation) => violation.ruleName)).toEqual([]);
  });

  it('leaves no error or warning annotation on the stack', () => {
    const annotations = Annotations.fromStack(stack);
    expect(annotations.findError('*', Match.anyValue())).toEqual([]);
    expect(annotations.findWarning('*', Match.anyValue())).toEqual([]);
  });

  it('acknowledges exactly these findings, each on one construct', () => {
    expect(acknowledgments(app).map(({ path, id }) => `${id} @ ${path}`)).toEqual([
      'AwsSolutions-SMG4 @ Dateline-dev/Secrets/TokenSigningKey',
      'AwsSolutions-SQS3 @ Dateline-dev/Queues/StreamFailures',
      'AwsSolutions-APIG4 @ Dateline-dev/Api/DefaultRoute',
      'AwsSolutions-SNS2 @ Dateline-dev/Monitoring/AlarmTopic',
    ]);
  });

  it('gives every acknowledgment a reason of at least a sentence', () => {
    for (const { reason } of acknowledgments(app)) expect(reason.length).toBeGreaterThan(60);
  });

  it.each([
    ['Secrets', 'TokenSigningKey', rules.secretsmanager.SecretsManagerRotationEnabled],
    ['Queues', 'StreamFailures', rules.sqs.SQSQueueDLQ],
    ['Api', 'DefaultRoute', rules.apigw.APIGWAuthorization],
    ['Monitoring', 'AlarmTopic', rules.sns.SNSEncryptedKMS],
  ])('still needs the acknowledgment on %s/%s (the rule still flags it)', (parent, child, rule) => {
    const resource = stack.node.findChild(parent).node.findChild(child).node.defaultChild;
    expect(CfnResource.isCfnResource(resource)).toBe(true);
    expect(rule(resource as CfnResource)).toBe(NagRuleCompliance.NON_COMPLIANT);
  });

  it('fails synthesis on a new finding (the checks are registered by createApp)', () => {
    const { app: failing, stack: failingStack } = createApp(
      new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false }),
    );
    new Queue(failingStack, 'UnguardedQueue');
    expect(() => failing.synth()).toThrow(/AwsSolutions-SQS4/);
  });
});
