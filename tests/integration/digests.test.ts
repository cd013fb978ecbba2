import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DigestDeps, runDigests } from '../../shared/alerts/digest-run.ts';
import type { DeliveryQueue } from '../../shared/alerts/fanout.ts';
import type { Delivery } from '../../shared/domain/delivery.ts';
import { type DigestPayload, digestDeliveryId, periodOf } from '../../shared/domain/digest.ts';
import type { AlertType } from '../../shared/domain/subscription.ts';
import { EventService } from '../../shared/events/event-service.ts';
import { createLogger } from '../../shared/platform/logger.ts';
import { IdempotencyStore } from '../../shared/store/idempotency-store.ts';
import {
  type AlertStack,
  alertEventInput,
  bearer,
  json,
  linkIn,
  startAlertStack,
} from '../support/alert-stack.ts';
import { headerLine, type SmtpSink, startSmtpSink } from '../support/smtp-sink.ts';
import { signatureHeaders, startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

let stack: AlertStack;
let sink: SmtpSink;
let receiver: WebhookReceiver;
/** The time the events' writes happen at: inside the period that ends on 28 June 2024 at 07:00 UTC. */
const clock = { now: new Date('2024-06-27T08:00:00Z') };
let events: EventService;

beforeAll(async () => {
  [sink, receiver] = await Promise.all([startSmtpSink(), startWebhookReceiver('digests')]);
  stack = await startAlertStack({ smtpUrl: sink.url });
  events = new EventService({
    table: stack.table,
    events: stack.eventRepository,
    idempotency: new IdempotencyStore(stack.table),
    clock: () => clock.now,
  });
});
afterAll(async () => {
  await Promise.all([stack?.close(), sink?.close(), receiver?.close()]);
});

const silent = createLogger({ service: 'test', write: () => {} });
const digestDeps = (queue: DeliveryQueue = stack.queue): DigestDeps => ({
  table: stack.table,
  subscriptions: stack.subscriptionRepository,
  deliveries: stack.deliveries,
  queue,
  logger: silent,
});
const at = (iso: string) => {
  clock.now = new Date(iso);
};
const allTypes: AlertType[] = ['event.created', 'event.updated', 'event.deleted'];

let tagCounter = 0;
const freshTag = () => `digest-${++tagCounter}`;

async function digestWebhook(tag: string, frequency: 'daily' | 'weekly' = 'daily') {
  return stack.service.subscribeWebhook({
    url: `${receiver.url}/${tag}`,
    filter: { kinds: [], actors: [], tags: [tag] },
    types: allTypes,
    frequency,
  });
}

const hooksFor = (tag: string) => receiver.received.filter((hook) => hook.path.endsWith(`/${tag}`));
const digestsOf = async (subscriptionId: string): Promise<Delivery[]> =>
  (await stack.deliveries.list(subscriptionId, 100)).deliveries.filter((d) => d.kind === 'event.digest');

/** The period of the daily 07:00 schedule the events are written in, and just after it ends. */
const period = periodOf('2024-06-27T08:00:00Z', { frequency: 'daily', hour: 7 });
const afterPeriod = new Date('2024-06-28T07:00:30Z');

describe('a daily webhook digest', () => {
  it('is one signed event.digest delivery listing each event once, in its latest state, with what happened', async () => {
    const tag = freshTag();
    const { subscription, secret } = await digestWebhook(tag);
    at('2024-06-27T08:00:00Z');
    const { event: pact } = await events.create(
      alertEventInput({ tags: [tag], title: 'Pact signed', date: '2024-06-19' }),
    );
    at('2024-06-27T09:00:00Z');
    await events.update(pact.id, 1, (input) => ({ ...input, title: 'Pact signed in Pyongyang' }));
    at('2024-06-27T10:00:00Z');
    await events.update(pact.id, 2, (input) => ({ ...input, summary: 'Putin and Kim signed the pact.' }));
    at('2024-06-27T11:00:00Z');
    const { event: debris } = await events.create(
      alertEventInput({ tags: [tag], title: 'Debris found', date: '2024-01' }),
    );
    at('2024-06-27T12:00:00Z');
    const { event: draft } = await events.create(
      alertEventInput({ tags: [tag], title: 'Draft', date: '2019-12' }),
    );
    await events.remove(draft.id);
    await stack.settle();
    // Nothing is sent while the period runs: fan-out collected digest entries, not deliveries.
    expect(hooksFor(tag)).toEqual([]);
    expect(await digestsOf(subscription.id)).toEqual([]);

    expect((await runDigests(digestDeps(), { now: new Date('2024-06-28T06:59:59Z') })).sent).toBe(0);
    const run = await runDigests(digestDeps(), { now: afterPeriod });
    await stack.settle();

    expect(run.sent).toBeGreaterThanOrEqual(1);
    const [hook, ...more] = hooksFor(tag);
    expect(more).toEqual([]);
    const payload = new Webhook(secret).verify(hook!.body, signatureHeaders(hook!)) as DigestPayload;
    expect(hook!.headers['webhook-id']).toBe(digestDeliveryId(subscription.id, period));
    expect(payload).toMatchObject({
      type: 'event.digest',
      data: { subscriptionId: subscription.id, frequency: 'daily', period, omitted: 0 },
    });
    // Timeline order: 2019-12, 2024-01, 2024-06-19.
    expect(payload.data.items.map((item) => [item.event.id, item.status])).toEqual([
      [draft.id, 'deleted'],
      [debris.id, 'created'],
      [pact.id, 'created'],
    ]);
    const pactItem = payload.data.items[2]!;
    expect(pactItem.event).toMatchObject({
      title: 'Pact signed in Pyongyang',
      summary: 'Putin and Kim signed the pact.',
      version: 3,
    });
    expect(pactItem.changes.map((change) => [change.type, change.version])).toEqual([
      ['event.created', 1],
      ['event.updated', 2],
      ['event.updated', 3],
    ]);
    expect(pactItem.event.sources).toEqual(alertEventInput().sources);
  });

  it('is sent once however often the schedule runs for the period', async () => {
    const tag = freshTag();
    const { subscription } = await digestWebhook(tag);
    at('2024-06-27T15:00:00Z');
    await events.create(alertEventInput({ tags: [tag] }));
    await stack.settle();

    for (let run = 0; run < 3; run++) await runDigests(digestDeps(), { now: afterPeriod });
    await runDigests(digestDeps(), { now: new Date('2024-06-28T08:00:00Z') });
    await stack.settle();

    expect(await digestsOf(subscription.id)).toHaveLength(1);
    expect(hooksFor(tag)).toHaveLength(1);
  });

  it('is sent once when a run crashes after recording it, and the run is repeated', async () => {
    const tag = freshTag();
    const { subscription } = await digestWebhook(tag);
    at('2024-06-27T16:00:00Z');
    await events.create(alertEventInput({ tags: [tag] }));
    await stack.settle();
    let crashed = false;
    const crashing: DeliveryQueue = {
      async enqueue(refs) {
        if (!crashed && refs.some((ref) => ref.subscriptionId === subscription.id)) {
          crashed = true;
          throw new Error('the process died before enqueueing');
        }
        await stack.queue.enqueue(refs);
      },
    };

    await expect(runDigests(digestDeps(crashing), { now: afterPeriod })).rejects.toThrow('died');
    expect(await digestsOf(subscription.id)).toHaveLength(1);
    await runDigests(digestDeps(), { now: afterPeriod });
    await stack.settle();

    const digests = await digestsOf(subscription.id);
    expect(digests).toHaveLength(1);
    expect(digests[0]!.status).toBe('delivered');
    expect(hooksFor(tag)).toHaveLength(1);
  });

  it('is sent once when a run crashes before recording it', async () => {
    const tag = freshTag();
    const { subscription } = await digestWebhook(tag);
    at('2024-06-27T17:00:00Z');
    await events.create(alertEventInput({ tags: [tag] }));
    await stack.settle();
    const failing = {
      ...digestDeps(),
      subscriptions: { get: () => Promise.reject(new Error('read failed')) },
    };

    await expect(runDigests(failing as unknown as DigestDeps, { now: afterPeriod })).rejects.toThrow(
      'read failed',
    );
    await runDigests(digestDeps(), { now: afterPeriod });
    await stack.settle();

    expect(await digestsOf(subscription.id)).toHaveLength(1);
    expect(hooksFor(tag)).toHaveLength(1);
  });

  it('sends nothing for a period without matching changes', async () => {
    const tag = freshTag();
    const { subscription } = await digestWebhook(tag);
    at('2024-06-27T18:00:00Z');
    await events.create(alertEventInput({ tags: [`${tag}-other`] }));
    await stack.settle();

    await runDigests(digestDeps(), { now: afterPeriod });
    await stack.settle();

    expect(await digestsOf(subscription.id)).toEqual([]);
    expect(hooksFor(tag)).toEqual([]);
  });

  it('collects a change into the next period once its own period was sent', async () => {
    const tag = freshTag();
    const { subscription } = await digestWebhook(tag);
    at('2024-06-27T19:00:00Z');
    await events.create(alertEventInput({ tags: [tag], title: 'On time' }));
    await stack.settle();
    await runDigests(digestDeps(), { now: afterPeriod });
    // A change of the same period whose fan-out comes after its digest (a late stream record).
    at('2024-06-27T20:00:00Z');
    await events.create(alertEventInput({ tags: [tag], title: 'Late' }));
    await stack.settle();
    await runDigests(digestDeps(), { now: new Date('2024-06-29T07:00:30Z') });
    await stack.settle();

    const titles = hooksFor(tag).map((hook) =>
      (JSON.parse(hook.body) as DigestPayload).data.items.map((item) => item.event.title),
    );
    expect(titles).toEqual([['On time'], ['Late']]);
    expect(await digestsOf(subscription.id)).toHaveLength(2);
  });

  it('sends nothing to a subscription unsubscribed before the period ends', async () => {
    const tag = freshTag();
    const { subscription } = await digestWebhook(tag);
    at('2024-06-27T21:00:00Z');
    await events.create(alertEventInput({ tags: [tag] }));
    await stack.settle();
    await stack.service.unsubscribe(subscription.id);

    await runDigests(digestDeps(), { now: afterPeriod });
    await stack.settle();

    expect(await digestsOf(subscription.id)).toEqual([]);
  });
});

describe('changing how often a subscription is told', () => {
  it('moves it between alerts and digests with PATCH, from the next change on', async () => {
    const tag = freshTag();
    const { subscription, token } = await stack.service.subscribeWebhook({
      url: `${receiver.url}/${tag}`,
      filter: { kinds: [], actors: [], tags: [tag] },
      types: allTypes,
    });
    const patch = async (body: unknown) => {
      const response = await stack.app.request(
        `/v1/subscriptions/${subscription.id}`,
        json('PATCH', body, bearer(token)),
      );
      expect(response.status).toBe(200);
      return (await response.json()) as { frequency: string; digestHour?: number };
    };
    expect(await patch({ frequency: 'weekly', digestHour: 18 })).toMatchObject({
      frequency: 'weekly',
      digestHour: 18,
    });
    at('2024-06-27T08:00:00Z');
    await events.create(alertEventInput({ tags: [tag], title: 'Collected' }));
    await stack.settle();
    expect(hooksFor(tag)).toEqual([]);

    await runDigests(digestDeps(), { now: new Date('2024-07-01T18:00:00Z') });
    await stack.settle();
    const [digest] = hooksFor(tag).map((hook) => JSON.parse(hook.body) as DigestPayload);
    expect(digest?.data.period).toEqual({
      start: '2024-06-24T18:00:00.000Z',
      end: '2024-07-01T18:00:00.000Z',
    });

    expect(await patch({ frequency: 'immediate' })).toMatchObject({ frequency: 'immediate', digestHour: 18 });
    at('2024-07-02T08:00:00Z');
    await events.create(alertEventInput({ tags: [tag], title: 'At once' }));
    await stack.settle();
    expect(hooksFor(tag).map((hook) => (JSON.parse(hook.body) as { type: string }).type)).toEqual([
      'event.digest',
      'event.created',
    ]);
  });
});

describe('a weekly digest', () => {
  it('collects a week, Monday to Monday at the digest hour', async () => {
    const tag = freshTag();
    const { subscription } = await digestWebhook(tag, 'weekly');
    at('2024-06-25T10:00:00Z');
    await events.create(alertEventInput({ tags: [tag], title: 'Tuesday' }));
    at('2024-06-30T10:00:00Z');
    await events.create(alertEventInput({ tags: [tag], title: 'Sunday' }));
    await stack.settle();

    await runDigests(digestDeps(), { now: afterPeriod });
    expect(await digestsOf(subscription.id)).toEqual([]);
    await runDigests(digestDeps(), { now: new Date('2024-07-01T07:00:00Z') });
    await stack.settle();

    const [hook, ...more] = hooksFor(tag);
    expect(more).toEqual([]);
    const payload = JSON.parse(hook!.body) as DigestPayload;
    expect(payload.data.frequency).toBe('weekly');
    expect(payload.data.period).toEqual({
      start: '2024-06-24T07:00:00.000Z',
      end: '2024-07-01T07:00:00.000Z',
    });
    expect(payload.data.items.map((item) => item.event.title).sort()).toEqual(['Sunday', 'Tuesday']);
  });
});

describe('an email digest', () => {
  it('is one mail of the period, in the alert mail design, after double opt-in', async () => {
    const tag = freshTag();
    const address = `digest-${tag}@example.net`;
    const subscribed = await stack.app.request(
      '/v1/subscriptions',
      json('POST', { channel: 'email', address, filter: { tags: [tag] }, frequency: 'daily', digestHour: 7 }),
    );
    expect(subscribed.status).toBe(202);
    const { id, frequency, digestHour } = (await subscribed.json()) as {
      id: string;
      frequency: string;
      digestHour: number;
    };
    expect([frequency, digestHour]).toEqual(['daily', 7]);
    await stack.settle();
    const [confirmation] = await sink.waitFor((mail) => mail.to.includes(address));
    const link = linkIn(confirmation!.parsed.text ?? '', '/v1/subscriptions/confirm');
    await stack.service.confirm(new URL(link).searchParams.get('token')!);

    at('2024-06-27T09:30:00Z');
    await events.create(alertEventInput({ tags: [tag], title: 'Missiles fired', date: '2024-06-15~' }));
    at('2024-06-27T10:30:00Z');
    await events.create(alertEventInput({ tags: [tag], title: 'Council meets', date: '2024-06-28' }));
    await stack.settle();
    expect(sink.to(address)).toHaveLength(1);

    await runDigests(digestDeps(), { now: afterPeriod });
    await stack.settle();
    const mails = await sink.waitFor((mail) => mail.to.includes(address), 2);

    expect(mails).toHaveLength(2);
    const digest = mails[1]!.parsed;
    expect(digest.subject).toBe('[Dateline] Daily digest, 28 June 2024: 2 events');
    expect(digest.text).toContain('1. New: Missiles fired');
    expect(digest.text).toContain('mid-June 2024');
    expect(digest.text).toContain('2. New: Council meets');
    expect(digest.text).toContain('ICARO Media Group, published 28 June 2024');
    expect(digest.html).toContain('Missiles fired');
    expect(headerLine(digest, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    const log = await stack.app.request(`/v1/subscriptions/${id}/deliveries`, {
      headers: bearer(stack.adminKey),
    });
    const kinds = ((await log.json()) as { items: { kind: string; status: string }[] }).items.map((d) => [
      d.kind,
      d.status,
    ]);
    expect(kinds).toContainEqual(['event.digest', 'delivered']);
  });
});
