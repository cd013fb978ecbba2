import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type AlertStack, alertEventInput, bearer, json, startAlertStack } from '../support/alert-stack.ts';
import {
  type ReceivedWebhook,
  signatureHeaders,
  startWebhookReceiver,
  type WebhookReceiver,
} from '../support/webhook-receiver.ts';

let stack: AlertStack;
let receiver: WebhookReceiver;
let writerKey: string;

beforeAll(async () => {
  [stack, receiver] = await Promise.all([startAlertStack(), startWebhookReceiver('api')]);
  writerKey = await stack.keyWith(['subscriptions:write']);
});
afterEach(() => receiver.answer(200));
afterAll(async () => {
  await Promise.all([stack?.close(), receiver?.close()]);
});

const call = (path: string, init?: RequestInit) => stack.app.request(path, init);

interface Created {
  id: string;
  secret: string;
  token: string;
}
interface LoggedDelivery {
  id: string;
  kind: string;
  status: string;
  eventId?: string;
  attempts: { at: string; status?: number; error?: string; latencyMs: number }[];
}

let tagCounter = 0;

/** A webhook to the loopback receiver, filtered on a tag of its own; returns it and that tag. */
async function subscribe(): Promise<Created & { tag: string }> {
  const tag = `api-${++tagCounter}`;
  const response = await call(
    '/v1/subscriptions',
    json(
      'POST',
      { channel: 'webhook', url: `${receiver.url}?tag=${tag}`, filter: { tags: [tag] } },
      bearer(writerKey),
    ),
  );
  expect(response.status).toBe(201);
  return { ...((await response.json()) as Created), tag };
}

async function log(subscription: Created): Promise<LoggedDelivery[]> {
  const response = await call(`/v1/subscriptions/${subscription.id}/deliveries`, {
    headers: bearer(subscription.token),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { items: LoggedDelivery[] }).items;
}

const forTag = (tag: string) => (request: ReceivedWebhook) => request.path.endsWith(`tag=${tag}`);

describe('POST /v1/subscriptions/{id}/test', () => {
  it('delivers a signed ping now and answers with its attempt', async () => {
    const subscription = await subscribe();

    const response = await call(`/v1/subscriptions/${subscription.id}/test`, {
      method: 'POST',
      headers: bearer(subscription.token),
    });

    expect(response.status).toBe(200);
    const delivery = (await response.json()) as LoggedDelivery;
    expect(delivery).toMatchObject({ kind: 'ping', status: 'delivered', attempts: [{ status: 200 }] });
    const [ping] = receiver.withId(delivery.id);
    expect(ping).toBeDefined();
    const verified = new Webhook(subscription.secret).verify(ping!.body, signatureHeaders(ping!));
    expect(verified).toMatchObject({ type: 'ping', data: { subscriptionId: subscription.id } });
  });

  it('reports a failed ping as dead, without retrying it', async () => {
    const subscription = await subscribe();
    receiver.answer(500);

    const response = await call(`/v1/subscriptions/${subscription.id}/test`, {
      method: 'POST',
      headers: bearer(subscription.token),
    });

    const delivery = (await response.json()) as LoggedDelivery;
    expect(delivery).toMatchObject({ kind: 'ping', status: 'dead', attempts: [{ status: 500 }] });
  });
});

describe('POST /v1/subscriptions/{id}/secret', () => {
  it('signs the following deliveries with both the new and the previous secret', async () => {
    const subscription = await subscribe();

    const rotated = await call(`/v1/subscriptions/${subscription.id}/secret`, {
      method: 'POST',
      headers: bearer(subscription.token),
    });
    expect(rotated.status).toBe(200);
    const { secret, previousSecretsValidUntil } = (await rotated.json()) as {
      secret: string;
      previousSecretsValidUntil: string | null;
    };
    expect(secret).toMatch(/^whsec_/);
    expect(secret).not.toBe(subscription.secret);
    expect(Date.parse(previousSecretsValidUntil ?? '')).toBeGreaterThan(Date.now());

    await stack.events.create(alertEventInput({ tags: [subscription.tag] }));
    await stack.settle();

    const [alert] = await receiver.waitFor(forTag(subscription.tag));
    expect(alert!.headers['webhook-signature']!.split(' ')).toHaveLength(2);
    for (const key of [secret, subscription.secret]) {
      expect(new Webhook(key).verify(alert!.body, signatureHeaders(alert!))).toMatchObject({
        type: 'event.created',
      });
    }
  });
});

describe('GET /v1/subscriptions/{id}/deliveries', () => {
  it("lists every attempt with its time, the receiver's status and the latency", async () => {
    const subscription = await subscribe();
    receiver.answer(500);
    const { event } = await stack.events.create(alertEventInput({ tags: [subscription.tag] }));
    await stack.settle();
    const [dead] = await log(subscription);
    receiver.answer(200);
    await call(`/v1/subscriptions/${subscription.id}/deliveries/${dead!.id}/retry`, {
      method: 'POST',
      headers: bearer(subscription.token),
    });
    await stack.settle();

    const [delivery] = await log(subscription);

    expect(delivery).toMatchObject({ kind: 'event.created', eventId: event.id, status: 'delivered' });
    expect(delivery!.attempts.map((attempt) => attempt.status)).toEqual([500, 500, 500, 200]);
    for (const attempt of delivery!.attempts) {
      expect(Date.parse(attempt.at)).not.toBeNaN();
      expect(attempt.latencyMs).toBeGreaterThanOrEqual(0);
    }
  });

  it('records the error of an attempt that got no answer', async () => {
    const subscription = await subscribe();
    await receiver.stop();
    try {
      await stack.events.create(alertEventInput({ tags: [subscription.tag] }));
      await stack.settle();
    } finally {
      await receiver.start();
    }

    const [delivery] = await log(subscription);

    expect(delivery).toMatchObject({ status: 'dead' });
    expect(delivery!.attempts).toHaveLength(3);
    expect(delivery!.attempts[0]).toMatchObject({ error: 'connection refused' });
    expect(delivery!.attempts[0]).not.toHaveProperty('status');
  });

  it('refuses the log to another subscription’s token', async () => {
    const mine = await subscribe();
    const other = await subscribe();
    const response = await call(`/v1/subscriptions/${mine.id}/deliveries`, { headers: bearer(other.token) });
    expect(response.status).toBe(401);
  });
});

describe('a subscription whose receiver answered 410 Gone', () => {
  it('is disabled, gets no alerts, and gets them again once re-enabled with PATCH', async () => {
    const subscription = await subscribe();
    receiver.answer(410);
    await stack.events.create(alertEventInput({ tags: [subscription.tag] }));
    await stack.settle();
    const read = await call(`/v1/subscriptions/${subscription.id}`, { headers: bearer(subscription.token) });
    expect(await read.json()).toMatchObject({
      status: 'disabled',
      statusReason: expect.stringContaining('410'),
    });
    expect((await log(subscription))[0]).toMatchObject({ status: 'gone', attempts: [{ status: 410 }] });

    receiver.answer(200);
    const { event: ignored } = await stack.events.create(alertEventInput({ tags: [subscription.tag] }));
    await stack.settle();
    const enabled = await call(
      `/v1/subscriptions/${subscription.id}`,
      json('PATCH', { status: 'active' }, bearer(subscription.token)),
    );
    expect(await enabled.json()).toMatchObject({ status: 'active' });
    const { event } = await stack.events.create(alertEventInput({ tags: [subscription.tag] }));
    await stack.settle();

    const delivered = await receiver.waitFor((request) => request.body.includes(event.id));
    expect(delivered).toHaveLength(1);
    expect(receiver.received.filter((request) => request.body.includes(ignored.id))).toEqual([]);
  });
});

describe('POST /v1/subscriptions/{id}/deliveries/{deliveryId}/retry', () => {
  it('delivers a dead-lettered delivery again, with the same webhook-id', async () => {
    const subscription = await subscribe();
    receiver.answer(503);
    await stack.events.create(alertEventInput({ tags: [subscription.tag] }));
    await stack.settle();
    const [dead] = await log(subscription);
    expect(dead).toMatchObject({ status: 'dead' });
    receiver.answer(200);

    const response = await call(`/v1/subscriptions/${subscription.id}/deliveries/${dead!.id}/retry`, {
      method: 'POST',
      headers: bearer(subscription.token),
    });
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({ id: dead!.id, status: 'pending' });
    await stack.settle();

    expect((await log(subscription))[0]).toMatchObject({ id: dead!.id, status: 'delivered' });
    const sent = receiver.received.filter(forTag(subscription.tag));
    expect(sent.map((request) => request.headers['webhook-id'])).toEqual([
      dead!.id,
      dead!.id,
      dead!.id,
      dead!.id,
    ]);
    expect(new Webhook(subscription.secret).verify(sent[3]!.body, signatureHeaders(sent[3]!))).toMatchObject({
      type: 'event.created',
    });
  });

  it('answers 404 for a delivery the subscription does not have', async () => {
    const subscription = await subscribe();
    const response = await call(
      `/v1/subscriptions/${subscription.id}/deliveries/01J1AB2CD3EF4GH5JK6MN7PQ8R/retry`,
      {
        method: 'POST',
        headers: bearer(subscription.token),
      },
    );
    expect(response.status).toBe(404);
  });
});
