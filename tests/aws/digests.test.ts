/**
 * Digests on AWS semantics: the hourly schedule's event into the digest function, which walks the
 * ended periods a few at a time (DIGEST_PAGE_SIZE 2, DIGEST_MAX_PERIODS 3) and hands the shards it
 * does not finish to its continuation queue; the continuations, consumed by the same function,
 * finish the run. A crash in a continuation and a replayed schedule send no digest twice. (The
 * handlers as TypeScript sources: the crash is injected into their SQS client.)
 */
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { type DigestPayload, periodOf } from '../../shared/domain/digest.ts';
import { eventInput } from '../fixtures/events.ts';
import { signatureHeaders, startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';
import { type AwsDeployment, deployOnMoto } from './aws-harness.ts';
import type { Handler } from './lambda-emulator.ts';

const SUBSCRIBERS = 12;
const PER_INVOCATION = 3;

let aws: AwsDeployment;
let receiver: WebhookReceiver;
let writer: string;
const secrets = new Map<string, string>();
const invocations = { schedule: 0, continuation: 0, periods: [] as number[] };
/** Makes the next SendMessageBatch to the delivery queue fail once, in a digest continuation. */
let crash: { armed: boolean; done: boolean } = { armed: false, done: false };
let inContinuation = false;

beforeAll(async () => {
  aws = await deployOnMoto(inject('motoEndpoint'), 'source', {
    settings: { DIGEST_PAGE_SIZE: '2', DIGEST_MAX_PERIODS: String(PER_INVOCATION) },
  });
  receiver = await startWebhookReceiver('digests');
  writer = await aws.key(['events:write', 'subscriptions:write']);

  const digest: Handler = aws.lambda.handlers.digest;
  aws.lambda.handlers.digest = async (event, context) => {
    inContinuation = Array.isArray(event.Records);
    if (inContinuation) invocations.continuation++;
    else invocations.schedule++;
    try {
      const result = await digest(event, context);
      if (!inContinuation) invocations.periods.push((result as { periods: number }).periods);
      return result;
    } finally {
      inContinuation = false;
    }
  };
  const deliveryQueue = aws.stack.queues.Delivery!.url;
  const send = SQSClient.prototype.send;
  vi.spyOn(SQSClient.prototype, 'send').mockImplementation(function (this: SQSClient, command, ...rest) {
    const input = command.input as { QueueUrl?: string };
    if (
      crash.armed &&
      !crash.done &&
      inContinuation &&
      command instanceof SendMessageBatchCommand &&
      input.QueueUrl === deliveryQueue
    ) {
      crash.done = true;
      return Promise.reject(new Error('injected crash after recording a digest'));
    }
    // biome-ignore lint/suspicious/noExplicitAny: forwards the call to the real client as it came
    return (send as any).call(this, command, ...rest);
  });

  for (let i = 0; i < SUBSCRIBERS; i++) {
    const response = await aws.lambda.api('/v1/subscriptions', {
      method: 'POST',
      headers: { authorization: `Bearer ${writer}` },
      body: {
        channel: 'webhook',
        url: `${receiver.url}/d${i}`,
        filter: { tags: ['aws-digest-scale'] },
        types: ['event.created'],
        frequency: 'daily',
        digestHour: 7,
      },
    });
    expect(response.status).toBe(201);
    const created = response.json<{ id: string; secret: string }>();
    secrets.set(`${new URL(receiver.url).pathname}/d${i}`, created.secret);
  }
}, 300_000);

afterAll(async () => {
  vi.restoreAllMocks();
  await Promise.all([receiver?.close(), aws?.close()]);
});

async function settleWithRetries(): Promise<void> {
  for (let round = 0; round < 20; round++) {
    await aws.lambda.settle();
    if ((await aws.lambda.letVisibilityLapse()) === 0) return;
  }
}

describe(`a digest run for ${SUBSCRIBERS} subscribers, ${PER_INVOCATION} periods an invocation`, () => {
  it('goes on through continuations, survives a crash in one, and sends each subscriber one signed digest', async () => {
    expect(aws.stack.digestSchedule).toBe('cron(0 * * * ? *)');
    const created = await aws.lambda.api('/v1/events', {
      method: 'POST',
      headers: { authorization: `Bearer ${writer}` },
      body: eventInput({ title: 'Missiles fired at Kharkiv', tags: ['aws-digest-scale'] }),
    });
    expect(created.status).toBe(201);
    await aws.lambda.settle();
    expect(receiver.received).toEqual([]);

    const period = periodOf(new Date(), { frequency: 'daily', hour: 7 });
    crash = { armed: true, done: false };
    await aws.lambda.digest(period.end);
    await settleWithRetries();
    // The schedule delivered again for the same hour, and the next hour's run.
    await aws.lambda.digest(period.end);
    await aws.lambda.digest(new Date(Date.parse(period.end) + 3_600_000).toISOString());
    await settleWithRetries();

    expect(crash.done).toBe(true);
    expect(invocations.periods[0]).toBeLessThanOrEqual(PER_INVOCATION);
    expect(invocations.continuation).toBeGreaterThanOrEqual(SUBSCRIBERS / PER_INVOCATION - 1);
    const byPath = new Map<string, number>();
    for (const hook of receiver.received) byPath.set(hook.path, (byPath.get(hook.path) ?? 0) + 1);
    expect(byPath.size).toBe(SUBSCRIBERS);
    expect([...byPath.values()].every((count) => count === 1)).toBe(true);
    for (const hook of receiver.received) {
      const payload = new Webhook(secrets.get(hook.path)!).verify(
        hook.body,
        signatureHeaders(hook),
      ) as DigestPayload;
      expect(payload.type).toBe('event.digest');
      expect(payload.data.period).toEqual(period);
      expect(payload.data.items.map((item) => item.event.title)).toEqual(['Missiles fired at Kharkiv']);
    }
  });
});
