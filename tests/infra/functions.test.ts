import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SWEEP_GRACE_SECONDS, readAwsConfig } from '../../shared/aws/config.ts';
import { defaultRetrySchedule } from '../../shared/delivery/retry-schedule.ts';
import { logicalId, type Resource, resourceNamed, synth } from './synth.ts';

let template: Template;
let functions: Record<string, Resource>;

const names = {
  api: 'ApiHandler',
  fanout: 'AlertsFanout',
  deliver: 'AlertsDeliver',
  sweep: 'AlertsSweep',
  digest: 'DigestsHandler',
};

beforeAll(() => {
  template = synth().template;
  functions = Object.fromEntries(
    Object.entries(names).map(([key, prefix]) => [
      key,
      resourceNamed(template, 'AWS::Lambda::Function', prefix),
    ]),
  );
});

function variables(fn: Resource | undefined): Record<string, unknown> {
  if (!fn) throw new Error('no such function');
  return (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
}

describe('every function', () => {
  it('runs Node.js 24 on arm64', () => {
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) {
      expect(fn.Properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'] });
    }
  });

  it('enables source maps, the log level and the metrics namespace', () => {
    for (const fn of Object.values(functions)) {
      expect(variables(fn)).toMatchObject({
        NODE_OPTIONS: '--enable-source-maps',
        LOG_LEVEL: 'info',
        METRICS_NAMESPACE: 'Dateline',
      });
    }
  });

  it('gets PUBLIC_URL and TABLE_NAME', () => {
    for (const fn of Object.values(functions)) {
      expect(Object.keys(variables(fn))).toEqual(expect.arrayContaining(['PUBLIC_URL', 'TABLE_NAME']));
    }
  });

  it('logs to its own log group', () => {
    for (const [key, fn] of Object.entries(functions)) {
      const group = (fn.Properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
      expect(group.startsWith(`${names[key as keyof typeof names]}Logs`)).toBe(true);
    }
  });

  it('keeps its logs for 30 days', () => {
    for (const group of Object.values(template.findResources('AWS::Logs::LogGroup'))) {
      expect(group.Properties.RetentionInDays).toBe(30);
    }
  });

  it('is not traced by X-Ray (whose grants need Resource "*")', () => {
    for (const fn of Object.values(functions)) expect(fn.Properties.TracingConfig).toBeUndefined();
  });
});

/** Settings only tests of the AWS wiring set (shared/aws/config.ts); a deployment leaves them at their defaults. */
const testOnlyVariables = [
  'DATELINE_ALLOW_LOOPBACK_WEBHOOKS',
  'DATELINE_RETRY_SCHEDULE',
  'SWEEP_GRACE_SECONDS',
  'FANOUT_PAGE_SIZE',
  'DIGEST_PAGE_SIZE',
  'DIGEST_MAX_PERIODS',
];

describe('test-only settings', () => {
  it('are set on no function of the template', () => {
    const all = Object.values(template.findResources('AWS::Lambda::Function'));
    expect(all.length).toBeGreaterThanOrEqual(4);
    for (const fn of all) {
      const set = Object.keys(
        (fn.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {},
      );
      expect(set.filter((name) => testOnlyVariables.includes(name))).toEqual([]);
    }
  });

  it.each(Object.keys(names))('leave %s, as the runtime reads its environment, at the defaults', (key) => {
    // CloudFormation references (table name, queue URLs, ARNs) stand in as placeholder text.
    const env = Object.fromEntries(
      Object.entries(variables(functions[key])).map(([name, value]) => [
        name,
        typeof value === 'string' ? value : `{${name}}`,
      ]),
    );
    const config = readAwsConfig(env);
    expect(config.allowLoopbackWebhooks).toBe(false);
    expect(config.retrySchedule).toEqual(defaultRetrySchedule);
    expect(config.sweepGraceSeconds).toBe(DEFAULT_SWEEP_GRACE_SECONDS);
    expect(config.fanoutPageSize).toBeUndefined();
    expect(config.digestPageSize).toBeUndefined();
    expect(config.digestMaxPeriods).toBeUndefined();
  });
});

describe('environment per function', () => {
  it('gives the API the secret and the delivery queue, but no sender', () => {
    expect(Object.keys(variables(functions.api))).toEqual(
      expect.arrayContaining(['TOKEN_SECRET_ARN', 'DELIVERY_QUEUE_URL']),
    );
    expect(variables(functions.api)).not.toHaveProperty('MAIL_FROM');
  });

  it('gives the delivery function the secret, its queue and the sender address', () => {
    expect(variables(functions.deliver)).toMatchObject({ MAIL_FROM: 'alerts@example.com' });
    expect(Object.keys(variables(functions.deliver))).toEqual(
      expect.arrayContaining(['TOKEN_SECRET_ARN', 'DELIVERY_QUEUE_URL']),
    );
  });

  it('gives fan-out and the sweeper the delivery queue but not the secret', () => {
    for (const fn of [functions.fanout, functions.sweep]) {
      expect(variables(fn)).toHaveProperty('DELIVERY_QUEUE_URL');
      expect(variables(fn)).not.toHaveProperty('TOKEN_SECRET_ARN');
    }
  });

  it('gives fan-out and the sweeper the continuation queue as FANOUT_QUEUE_URL, and no one else', () => {
    const continuations = { Ref: logicalId(template, 'AWS::SQS::Queue', 'QueuesFanoutContinuations') };
    expect(variables(functions.fanout).FANOUT_QUEUE_URL).toEqual(continuations);
    expect(variables(functions.sweep).FANOUT_QUEUE_URL).toEqual(continuations);
    expect(variables(functions.api)).not.toHaveProperty('FANOUT_QUEUE_URL');
    expect(variables(functions.deliver)).not.toHaveProperty('FANOUT_QUEUE_URL');
  });

  it('points every DELIVERY_QUEUE_URL at the delivery queue', () => {
    const delivery = { Ref: logicalId(template, 'AWS::SQS::Queue', 'QueuesDelivery') };
    for (const fn of Object.values(functions)) expect(variables(fn).DELIVERY_QUEUE_URL).toEqual(delivery);
  });

  it('paces each delivery consumer at 2.8 mails/s: the default SES rate of 14 over its 5 consumers', () => {
    expect(variables(functions.deliver).MAIL_SENDS_PER_SECOND).toBe('2.8');
    for (const fn of [functions.api, functions.fanout, functions.sweep]) {
      expect(variables(fn)).not.toHaveProperty('MAIL_SENDS_PER_SECOND');
    }
  });

  it('keeps all delivery consumers together within the SES rate, in a value the runtime accepts', () => {
    const deliver = logicalId(template, 'AWS::Lambda::Function', 'AlertsDeliver');
    const [source] = Object.values(template.findResources('AWS::Lambda::EventSourceMapping')).filter(
      (resource) => resource.Properties.FunctionName.Ref === deliver,
    );
    const consumers = source?.Properties.ScalingConfig.MaximumConcurrency as number;
    const perConsumer = Number(variables(functions.deliver).MAIL_SENDS_PER_SECOND);
    expect(perConsumer * consumers).toBeLessThanOrEqual(14);
    expect(
      readAwsConfig({ TABLE_NAME: 'table', MAIL_SENDS_PER_SECOND: String(perConsumer) }).mailSendsPerSecond,
    ).toBe(2.8);
  });
});

describe('timeouts', () => {
  it('gives the delivery function 30 s and the API 10 s', () => {
    expect(functions.deliver?.Properties.Timeout).toBe(30);
    expect(functions.api?.Properties.Timeout).toBe(10);
  });

  it('gives fan-out and the sweeper 60 s', () => {
    expect(functions.fanout?.Properties.Timeout).toBe(60);
    expect(functions.sweep?.Properties.Timeout).toBe(60);
  });
});

describe('sweeper', () => {
  it('runs every 5 minutes from an EventBridge rule', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      State: 'ENABLED',
    });
  });

  it('never runs twice at once and does not retry a failed run', () => {
    expect(functions.sweep?.Properties.ReservedConcurrentExecutions).toBe(1);
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 0 });
  });
});
