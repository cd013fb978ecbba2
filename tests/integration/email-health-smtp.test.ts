/**
 * Email health on one machine: what the SMTP server answers for a recipient decides what happens
 * to the subscription. A permanent refusal of the address (5xx with an address status) disables
 * it with the server's words and stops sending; a temporary refusal (4xx) is retried; a mail
 * server we cannot reach is our problem, not the subscriber's. Against the real SMTP sink on
 * loopback, through fan-out, delivery and the HTTP API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AlertStack,
  activeEmailSubscriber,
  alertEventInput,
  bearer,
  json,
  startAlertStack,
} from '../support/alert-stack.ts';
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink.ts';

let sink: SmtpSink;
let stack: AlertStack;

beforeAll(async () => {
  sink = await startSmtpSink();
  stack = await startAlertStack({ smtpUrl: sink.url, retrySchedule: [0, 1, 1] });
});
afterAll(async () => {
  await stack?.close();
  await sink?.close();
});

/** The subscription as GET /v1/subscriptions/{id} shows it (with the admin key). */
async function shown(id: string, target: AlertStack = stack) {
  const response = await target.app.request(`/v1/subscriptions/${id}`, { headers: bearer(target.adminKey) });
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

async function alertAbout(tag: string, target: AlertStack = stack) {
  await target.events.create(alertEventInput({ tags: [tag] }));
  await target.settle();
}

const deliveriesOf = async (id: string, target: AlertStack = stack) =>
  (await target.deliveries.list(id, 50)).deliveries;

describe('a recipient the SMTP server refuses for good (550 5.1.1)', () => {
  it('disables the subscription with the reason, and sends it nothing more', async () => {
    const subscription = await activeEmailSubscriber(stack, 'health-550');
    sink.refuse(subscription.address!, '550 5.1.1 user unknown');

    await alertAbout('health-550');

    const [delivery] = await deliveriesOf(subscription.id);
    expect(delivery).toMatchObject({ status: 'gone' });
    expect(delivery!.attempts).toHaveLength(1);
    expect(delivery!.attempts[0]!.error).toContain('550 5.1.1 user unknown');
    const view = await shown(subscription.id);
    expect(view).toMatchObject({
      status: 'disabled',
      statusReason: 'the address bounced permanently: 550 5.1.1 user unknown',
    });
    expect(view).not.toHaveProperty('lastDeliveryAt');

    // The next matching event: no delivery is recorded, the server is not even asked.
    const refusals = sink.refusals(subscription.address!);
    await alertAbout('health-550');
    expect(await deliveriesOf(subscription.id)).toHaveLength(1);
    expect(sink.refusals(subscription.address!)).toBe(refusals);
    expect(sink.to(subscription.address!)).toHaveLength(0);
  });

  it('disables a pending subscription whose confirmation mail is refused', async () => {
    const address = 'health-confirm-550@example.net';
    sink.refuse(address, '550 5.1.1 no such mailbox');
    const response = await stack.app.request(
      '/v1/subscriptions',
      json('POST', { channel: 'email', address, filter: { tags: ['health-confirm'] } }),
    );
    expect(response.status).toBe(202);
    const { id } = (await response.json()) as { id: string };
    await stack.settle();

    expect(await shown(id)).toMatchObject({
      status: 'disabled',
      statusReason: 'the address bounced permanently: 550 5.1.1 no such mailbox',
    });
  });
});

describe('a recipient the SMTP server refuses for now (4xx)', () => {
  it('is retried on the schedule while the subscription is marked failing, then delivered', async () => {
    const subscription = await activeEmailSubscriber(stack, 'health-450');
    sink.refuse(subscription.address!, '450 4.2.1 mailbox busy, try later');
    await alertAbout('health-450');

    // Every step of the schedule was tried and refused: the delivery is dead-lettered (kept,
    // retryable), the subscription active but failing since the first refusal.
    const [dead] = await deliveriesOf(subscription.id);
    expect(dead!.status).toBe('dead');
    expect(dead!.attempts.length).toBeGreaterThan(1);
    expect(sink.refusals(subscription.address!)).toBe(dead!.attempts.length);
    const failing = await shown(subscription.id);
    expect(failing).toMatchObject({ status: 'active', failingSince: dead!.attempts[0]!.at });

    sink.accept(subscription.address!);
    await stack.service.retry(subscription.id, dead!.id);
    await stack.settle();

    const [delivered] = await deliveriesOf(subscription.id);
    expect(delivered!.status).toBe('delivered');
    expect(sink.to(subscription.address!)).toHaveLength(1);
    const healthy = await shown(subscription.id);
    expect(healthy).toMatchObject({ status: 'active' });
    expect(healthy).not.toHaveProperty('failingSince');
    expect(Date.parse(healthy.lastDeliveryAt as string)).toBeGreaterThanOrEqual(
      Date.parse(failing.failingSince as string),
    );
  });

  it('451 is backpressure: retried later, the subscription untouched', async () => {
    const subscription = await activeEmailSubscriber(stack, 'health-451');
    sink.refuse(subscription.address!, '451 4.7.1 greylisted, try again later');
    await stack.events.create(alertEventInput({ tags: ['health-451'] }));
    await stack.settle();

    const [delivery] = await deliveriesOf(subscription.id);
    expect(delivery).toMatchObject({ status: 'pending' });
    expect(delivery!.attempts[0]!.error).toContain('throttled');
    const view = await shown(subscription.id);
    expect(view).toMatchObject({ status: 'active' });
    expect(view).not.toHaveProperty('failingSince');
    expect(sink.refusals(subscription.address!)).toBe(1);
  });
});

describe('a delivered alert', () => {
  it('sets lastDeliveryAt, shown on the subscription', async () => {
    const subscription = await activeEmailSubscriber(stack, 'health-ok');
    const before = Date.now();
    await alertAbout('health-ok');

    expect(sink.to(subscription.address!)).toHaveLength(1);
    const view = await shown(subscription.id);
    expect(view).toMatchObject({ status: 'active' });
    expect(Date.parse(view.lastDeliveryAt as string)).toBeGreaterThanOrEqual(before - 1000);
  });
});

describe('an SMTP server that cannot be reached', () => {
  it('fails the attempt without marking the subscriber', async () => {
    const unreachable = await startAlertStack({ smtpUrl: 'smtp://127.0.0.1:9', retrySchedule: [0, 60] });
    try {
      const subscription = await activeEmailSubscriber(unreachable, 'health-down');
      await unreachable.events.create(alertEventInput({ tags: ['health-down'] }));
      await unreachable.settle();

      const [delivery] = await deliveriesOf(subscription.id, unreachable);
      expect(delivery).toMatchObject({ status: 'pending' });
      expect(delivery!.attempts[0]!.error).toMatch(/^mail \(our side\): /);
      const view = await shown(subscription.id, unreachable);
      expect(view).toMatchObject({ status: 'active' });
      expect(view).not.toHaveProperty('failingSince');
    } finally {
      await unreachable.close();
    }
  });
});

describe('the OpenAPI document', () => {
  it('describes the health a subscription shows', async () => {
    const document = (await (await stack.app.request('/openapi.json')).json()) as {
      components: { schemas: Record<string, { properties: Record<string, { description?: string }> }> };
    };
    const { properties } = document.components.schemas.Subscription!;
    for (const field of ['status', 'statusReason', 'failingSince', 'lastDeliveryAt'])
      expect(properties[field]?.description, field).toBeTruthy();
    expect(properties.status!.description).toContain('permanent bounce');
  });
});
