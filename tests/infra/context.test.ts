import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { Sender } from '../../infra/constructs/sender.ts';
import type { DatelineStack } from '../../infra/dateline-stack.ts';
import { resourceNamed, synth } from './synth.ts';

/** One synthesis with every context key set away from its default. */
let template: Template;
let stack: DatelineStack;

beforeAll(() => {
  ({ template, stack } = synth({
    stage: 'prod',
    senderDomain: 'dateline.example.org',
    alarmEmail: 'oncall@example.org',
    publicUrl: 'https://dateline.example.org/',
    corsOrigins: 'https://app.example.org, https://admin.example.org',
    apiRateLimit: '20',
    apiBurstLimit: '40',
    sesMaxSendRate: '50',
    logLevel: 'debug',
    region: 'eu-west-1',
    account: '123456789012',
  }));
});

const variables = (prefix: string) =>
  (
    resourceNamed(template, 'AWS::Lambda::Function', prefix).Properties.Environment as {
      Variables: Record<string, unknown>;
    }
  ).Variables;

describe('deployment context', () => {
  it('names the stack after the stage and protects prod from deletion', () => {
    expect(stack.stackName).toBe('Dateline-prod');
    expect(stack.terminationProtection).toBe(true);
  });

  it('deploys to the account and region given', () => {
    expect([stack.account, stack.region]).toEqual(['123456789012', 'eu-west-1']);
  });

  it('verifies the sender domain and sends from alerts@ that domain', () => {
    template.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: 'dateline.example.org' });
    expect(variables('AlertsDeliver').MAIL_FROM).toBe('alerts@dateline.example.org');
  });

  it('subscribes alarmEmail to the alarm topic', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@example.org',
    });
  });

  it('uses publicUrl, without its trailing slash, for links in every function', () => {
    for (const prefix of ['ApiHandler', 'AlertsFanout', 'AlertsDeliver', 'AlertsSweep']) {
      expect(variables(prefix).PUBLIC_URL).toBe('https://dateline.example.org');
    }
  });

  it('allows every method and the Authorization header from the configured origins only', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: {
        AllowOrigins: ['https://app.example.org', 'https://admin.example.org'],
        AllowMethods: ['*'],
        AllowHeaders: Match.arrayWith(['authorization', 'if-match', 'idempotency-key']),
      },
    });
  });

  it('throttles with the configured rate and burst', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 },
    });
  });

  it('splits the configured SES rate (50 mails/s) between the 5 delivery consumers', () => {
    expect(variables('AlertsDeliver').MAIL_SENDS_PER_SECOND).toBe('10');
  });

  it('refuses at synth an SES rate too small to give each delivery consumer 0.01 mails a second', () => {
    expect(() => synth({ sesMaxSendRate: '0.01' })).toThrow(/context sesMaxSendRate must be from 0\.05/);
  });

  it('passes the log level to the functions', () => {
    expect(variables('AlertsDeliver').LOG_LEVEL).toBe('debug');
  });

  it('names alarms and the dashboard after the stage', () => {
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'dateline-prod' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'dateline-prod-DeliveryDeadLetters',
    });
  });
});

describe('Sender with an identity that already exists', () => {
  it('creates no identity, grants on the existing identity ARN, and still has its configuration set', () => {
    const bare = new Stack(new App({ builtinCloudFormationValidation: false }), 'Bare', {
      env: { account: '123456789012', region: 'eu-west-1' },
    });
    const sender = new Sender(bare, 'Sender', { address: 'alerts@example.org', createIdentity: false });
    const bareTemplate = Template.fromStack(bare);
    bareTemplate.resourceCountIs('AWS::SES::EmailIdentity', 0);
    // Named on every send (MAIL_CONFIGURATION_SET), so its events reach the mail-events function.
    bareTemplate.resourceCountIs('AWS::SES::ConfigurationSet', 1);
    expect(bare.resolve(sender.identityArn)).toEqual({
      'Fn::Join': [
        '',
        ['arn:', { Ref: 'AWS::Partition' }, ':ses:eu-west-1:123456789012:identity/alerts@example.org'],
      ],
    });
    expect(bare.resolve(sender.configurationSetArn)).toEqual({
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':ses:eu-west-1:123456789012:configuration-set/',
          { Ref: expect.stringMatching(/^SenderConfigurationSet/) },
        ],
      ],
    });
  });
});
