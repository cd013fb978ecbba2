import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { mailSendsPerSecondRange, readDeployConfig } from '../../infra/config.ts';
import { deliverConcurrency, mailSendsPerConsumer } from '../../infra/constructs/alerts.ts';
import { readAwsConfig } from '../../shared/aws/config.ts';

const read = (context: Record<string, unknown> = {}, env: Record<string, string> = {}) =>
  readDeployConfig(new App({ context }).node, env);

describe('readDeployConfig', () => {
  it('has defaults that synthesize offline: dev, alerts@example.com, us-east-1, no account', () => {
    expect(read()).toEqual({
      stage: 'dev',
      senderAddress: 'alerts@example.com',
      senderDomain: undefined,
      createSenderIdentity: true,
      alarmEmail: undefined,
      publicUrl: undefined,
      corsOrigins: [],
      apiRateLimit: 50,
      apiBurstLimit: 100,
      sesMaxSendRate: 14,
      logLevel: 'info',
      account: undefined,
      region: 'us-east-1',
    });
  });

  it('takes account and region from the CDK CLI environment', () => {
    const config = read({}, { CDK_DEFAULT_ACCOUNT: '111122223333', CDK_DEFAULT_REGION: 'eu-central-1' });
    expect([config.account, config.region]).toEqual(['111122223333', 'eu-central-1']);
  });

  it('prefers account and region given as context', () => {
    const config = read(
      { account: '444455556666', region: 'ap-south-1' },
      { CDK_DEFAULT_REGION: 'eu-central-1' },
    );
    expect([config.account, config.region]).toEqual(['444455556666', 'ap-south-1']);
  });

  it('falls back to AWS_REGION before the default region', () => {
    expect(read({}, { AWS_REGION: 'sa-east-1' }).region).toBe('sa-east-1');
  });

  it('accepts corsOrigins as a JSON array (cdk.json)', () => {
    expect(read({ corsOrigins: ['https://a.example', 'https://b.example'] }).corsOrigins).toEqual([
      'https://a.example',
      'https://b.example',
    ]);
  });

  it('refuses a stage that cannot be part of resource names', () => {
    expect(() => read({ stage: 'Prod_1' })).toThrow(/context stage/);
  });

  it('refuses a sender address outside senderDomain', () => {
    expect(() => read({ senderDomain: 'example.org', senderAddress: 'alerts@elsewhere.org' })).toThrow(
      /senderAddress must be an address at senderDomain/,
    );
  });

  it('refuses a publicUrl that is not https', () => {
    expect(() => read({ publicUrl: 'http://dateline.example.org' })).toThrow(/publicUrl must use https/);
  });

  it('refuses an alarmEmail that is not an address', () => {
    expect(() => read({ alarmEmail: 'oncall' })).toThrow(/alarmEmail/);
  });

  it('refuses a throttle limit that is not a positive number', () => {
    expect(() => read({ apiRateLimit: 'lots' })).toThrow(/apiRateLimit/);
  });

  it('reads sesMaxSendRate as a number, from -c text or a cdk.json number', () => {
    expect(read({ sesMaxSendRate: '50' }).sesMaxSendRate).toBe(50);
    expect(read({ sesMaxSendRate: 1 }).sesMaxSendRate).toBe(1);
  });

  it('refuses an SES send rate that is not a positive number', () => {
    expect(() => read({ sesMaxSendRate: '0' })).toThrow(/context sesMaxSendRate must be a positive number/);
    expect(() => read({ sesMaxSendRate: 'fast' })).toThrow(/context sesMaxSendRate/);
  });

  it('refuses an SES rate whose share per delivery consumer would be under 0.01 or over 10,000 a second', () => {
    expect(deliverConcurrency).toBe(5);
    for (const rate of ['0.04', 0.049, '50000.5', 1e9]) {
      expect(() => read({ sesMaxSendRate: rate })).toThrow(
        /^context sesMaxSendRate must be from 0\.05 to 50000 mails a second: each of the 5 delivery consumers/,
      );
    }
    expect(() => read({ sesMaxSendRate: '0.04' })).toThrow(/got 0\.04, 0\.008 per consumer/);
    expect(read({ sesMaxSendRate: '0.05' }).sesMaxSendRate).toBe(0.05);
    expect(read({ sesMaxSendRate: 50_000 }).sesMaxSendRate).toBe(50_000);
  });

  it.each([0.05, 0.35, 1, 14, 50_000])(
    'passes the delivery function a MAIL_SENDS_PER_SECOND it accepts for sesMaxSendRate %s',
    (rate) => {
      const share = mailSendsPerConsumer(read({ sesMaxSendRate: rate }).sesMaxSendRate);
      expect(share).toBeGreaterThanOrEqual(mailSendsPerSecondRange.min);
      expect(share).toBeLessThanOrEqual(mailSendsPerSecondRange.max);
      expect(share * deliverConcurrency).toBeLessThanOrEqual(rate);
      const env = { TABLE_NAME: 't', MAIL_SENDS_PER_SECOND: String(share) };
      expect(readAwsConfig(env).mailSendsPerSecond).toBe(share);
    },
  );

  it("keeps its bounds in step with the delivery function's", () => {
    const accepts = (value: number) => {
      try {
        readAwsConfig({ TABLE_NAME: 't', MAIL_SENDS_PER_SECOND: String(value) });
        return true;
      } catch {
        return false;
      }
    };
    const { min, max } = mailSendsPerSecondRange;
    expect([accepts(min), accepts(max), accepts(min - 0.001), accepts(max + 0.01)]).toEqual([
      true,
      true,
      false,
      false,
    ]);
  });

  it('refuses an unknown log level', () => {
    expect(() => read({ logLevel: 'verbose' })).toThrow(/logLevel/);
  });
});
