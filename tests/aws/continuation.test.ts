/**
 * Fan-out at audience scale on AWS semantics: pages of 10 over 300 matching subscriptions, with
 * invocations that have time for a few pages only, so a change's fan-out goes on through
 * continuation messages — and a crash between pages, in the stream's invocation and in a
 * continuation's, loses and duplicates nothing. (The handlers as TypeScript sources: the crash is
 * injected into their SQS client.) Scaled down from 1,000 in pages of 50: moto answers a page in
 * seconds while eight continuations walk at once, and the pages per shard are what matter here;
 * the same walk over 100,000 subscriptions is measured by `npm run bench` (fanoutScale).
 */
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { mapLimit } from '../../shared/platform/concurrency.ts';
import { eventInput, state } from '../fixtures/events.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';
import { type AwsDeployment, deployOnMoto } from './aws-harness.ts';
import type { Handler } from './lambda-emulator.ts';

const SUBSCRIBERS = 300;
const PAGE_SIZE = 10;

let aws: AwsDeployment;
let receiver: WebhookReceiver;
let writer: string;
/** The source of the fan-out invocation running now (`aws:dynamodb` or `aws:sqs`). */
let phase: string | undefined;
const invocations = { stream: 0, continuation: 0 };
/** Makes the next SendMessageBatch to the delivery queue that `when` accepts fail, once. */
let crash: { when: () => boolean; done: boolean } | undefined;

beforeAll(async () => {
  aws = await deployOnMoto(inject('motoEndpoint'), 'source', {
    settings: { FANOUT_PAGE_SIZE: String(PAGE_SIZE) },
    // An invocation stops starting pages 20 s before its timeout: this leaves it about one second.
    timeoutsMs: { fanout: 21_000 },
  });
  receiver = await startWebhookReceiver('scale');
  writer = await aws.key(['events:write', 'subscriptions:write']);

  const fanout: Handler = aws.lambda.handlers.fanout;
  aws.lambda.handlers.fanout = async (event, context) => {
    phase = event.Records?.[0]?.eventSource;
    if (phase === 'aws:sqs') invocations.continuation++;
    else invocations.stream++;
    try {
      return await fanout(event, context);
    } finally {
      phase = undefined;
    }
  };
  const deliveryQueue = aws.stack.queues.Delivery!.url;
  const send = SQSClient.prototype.send;
  vi.spyOn(SQSClient.prototype, 'send').mockImplementation(function (this: SQSClient, command, ...rest) {
    const input = command.input as { QueueUrl?: string };
    if (
      crash &&
      !crash.done &&
      command instanceof SendMessageBatchCommand &&
      input.QueueUrl === deliveryQueue &&
      crash.when()
    ) {
      crash.done = true;
      return Promise.reject(new Error('injected crash between two pages'));
    }
    // biome-ignore lint/suspicious/noExplicitAny: forwards the call to the real client as it came
    return (send as any).call(this, command, ...rest);
  });

  await mapLimit(
    Array.from({ length: SUBSCRIBERS }, (_, i) => i),
    8,
    async (i) => {
      const response = await aws.lambda.api('/v1/subscriptions', {
        method: 'POST',
        headers: { authorization: `Bearer ${writer}` },
        body: {
          channel: 'webhook',
          url: `${receiver.url}/s${i}`,
          // Three index partitions the event probes, so the walk has many units.
          filter: i % 3 === 0 ? { actors: ['KP'] } : i % 3 === 1 ? { kinds: ['missile-launch'] } : {},
        },
      });
      expect(response.status).toBe(201);
    },
  );
}, 300_000);

afterAll(async () => {
  vi.restoreAllMocks();
  await Promise.all([receiver?.close(), aws?.close()]);
});

async function announce(title: string): Promise<string> {
  const response = await aws.lambda.api('/v1/events', {
    method: 'POST',
    headers: { authorization: `Bearer ${writer}` },
    body: eventInput({ title, kind: 'missile-launch', actors: [state('KP'), state('RU')] }),
  });
  expect(response.status).toBe(201);
  return response.json<{ id: string }>().id;
}

/** Pumps the pipeline, letting failed invocations' messages come back, until nothing is left. */
async function settleWithRetries(): Promise<void> {
  for (let round = 0; round < 20; round++) {
    await aws.lambda.settle();
    if ((await aws.lambda.letVisibilityLapse()) === 0) return;
  }
}

/** Alerts about one event, by subscriber path; each webhook-id once per subscriber. */
function alertsAbout(eventId: string) {
  const hooks = receiver.received.filter((hook) => hook.body.includes(eventId));
  return {
    hooks,
    subscribers: new Set(hooks.map((hook) => hook.path)),
    ids: new Set(hooks.map((hook) => hook.headers['webhook-id'])),
  };
}

describe(`fan-out of one event to ${SUBSCRIBERS} subscribers in pages of ${PAGE_SIZE}`, () => {
  it('goes on through continuation messages and alerts every subscriber exactly once', async () => {
    invocations.stream = 0;
    invocations.continuation = 0;
    const eventId = await announce('Ballistic missile launched toward Kharkiv');

    await settleWithRetries();

    const { hooks, subscribers, ids } = alertsAbout(eventId);
    expect(invocations.continuation).toBeGreaterThan(0);
    expect(subscribers.size).toBe(SUBSCRIBERS);
    expect(ids.size).toBe(SUBSCRIBERS);
    expect(hooks).toHaveLength(SUBSCRIBERS);
    const event = await aws.lambda.api(`/v1/events/${eventId}`);
    expect(event.status).toBe(200);
  });

  it('loses and duplicates nothing when an invocation crashes between pages, in the stream and in a continuation', async () => {
    const eventId = await announce('Ballistic missiles launched toward Odesa');
    let streamPages = 0;
    crash = { when: () => phase === 'aws:dynamodb' && ++streamPages === 3, done: false };
    await aws.lambda.pumpStream();
    expect(crash.done).toBe(true);
    let continuationPages = 0;
    crash = { when: () => phase === 'aws:sqs' && ++continuationPages === 2, done: false };

    await settleWithRetries();

    expect(crash.done).toBe(true);
    const { hooks, subscribers, ids } = alertsAbout(eventId);
    expect(subscribers.size).toBe(SUBSCRIBERS);
    expect(ids.size).toBe(SUBSCRIBERS);
    expect(hooks).toHaveLength(SUBSCRIBERS);
  });
});
