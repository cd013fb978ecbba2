import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fanOutChange, fanOutEvent } from '../../shared/alerts/fanout.ts';
import type { AlertPayload, Delivery } from '../../shared/domain/delivery.ts';
import type { AlertType, Subscription, SubscriptionFilter } from '../../shared/domain/subscription.ts';
import {
  type AlertStack,
  activeSubscription,
  alertEventInput,
  startAlertStack,
} from '../support/alert-stack.ts';

let stack: AlertStack;
beforeAll(async () => {
  stack = await startAlertStack();
});
afterAll(async () => {
  await stack?.close();
});

/** Each test filters on its own tag, so subscriptions of other tests never match its events. */
let tagCounter = 0;
const freshTag = () => `fanout-${++tagCounter}`;

const filterOn = (parts: Partial<SubscriptionFilter>): SubscriptionFilter => ({
  kinds: [],
  actors: [],
  tags: [],
  ...parts,
});

async function webhook(
  filter: SubscriptionFilter,
  types: AlertType[] = ['event.created'],
): Promise<Subscription> {
  return (await stack.service.subscribeWebhook({ url: 'https://hooks.example.org/dateline', filter, types }))
    .subscription;
}

/** Alert deliveries (not confirmations or pings) recorded for a subscription. */
async function alertsOf(subscription: Subscription): Promise<Delivery[]> {
  const { deliveries } = await stack.deliveries.list(subscription.id, 100);
  return deliveries.filter((delivery) => delivery.kind.startsWith('event.'));
}

const payloadOf = (delivery: Delivery) => JSON.parse(delivery.body) as AlertPayload;

async function createEvent(tag: string, overrides: Parameters<typeof alertEventInput>[0] = {}) {
  return (await stack.events.create(alertEventInput({ tags: [tag], ...overrides }))).event;
}

describe('fan-out of a created event', () => {
  it('records exactly one delivery per matching active subscription', async () => {
    const tag = freshTag();
    const byTag = await webhook(filterOn({ tags: [tag] }));
    const byActorAndTag = await webhook(filterOn({ actors: ['KP'], tags: [tag] }));
    const wrongKind = await webhook(filterOn({ kinds: ['statement'], tags: [tag] }));
    const wrongActor = await webhook(filterOn({ actors: ['CN'], tags: [tag] }));
    const event = await createEvent(tag);

    const result = await fanOutEvent(stack.fanout, event.id);

    expect(result.deliveries).toBe(2);
    for (const matching of [byTag, byActorAndTag]) {
      const alerts = await alertsOf(matching);
      expect(alerts).toHaveLength(1);
      expect(alerts[0]).toMatchObject({ kind: 'event.created', eventId: event.id, status: 'pending' });
    }
    expect(await alertsOf(wrongKind)).toEqual([]);
    expect(await alertsOf(wrongActor)).toEqual([]);
  });

  it('respects the types a subscription asked for', async () => {
    const tag = freshTag();
    const updatesOnly = await webhook(filterOn({ tags: [tag] }), ['event.updated', 'event.deleted']);
    const created = await webhook(filterOn({ tags: [tag] }), ['event.created']);
    const event = await createEvent(tag);

    await fanOutEvent(stack.fanout, event.id);

    expect(await alertsOf(updatesOnly)).toEqual([]);
    expect(await alertsOf(created)).toHaveLength(1);
  });

  it('gives pending, unsubscribed and disabled subscriptions nothing', async () => {
    const tag = freshTag();
    const filter = filterOn({ tags: [tag] });
    const pending = await stack.service.subscribeEmail('pending@example.net', filter, ['event.created']);
    const unsubscribed = await webhook(filter);
    await stack.service.unsubscribe(unsubscribed.id);
    const disabled = await webhook(filter);
    await stack.subscriptionRepository.save(disabled, {
      ...disabled,
      status: 'disabled',
      statusReason: 'the receiver answered 410 Gone',
      version: disabled.version + 1,
    });
    const active = await webhook(filter);
    const event = await createEvent(tag);

    const result = await fanOutEvent(stack.fanout, event.id);

    expect(result.deliveries).toBe(1);
    expect(await alertsOf(active)).toHaveLength(1);
    for (const idle of [pending, unsubscribed, disabled]) expect(await alertsOf(idle)).toEqual([]);
  });

  it('carries the event with its sources, date as written and precision', async () => {
    const tag = freshTag();
    const subscription = await webhook(filterOn({ tags: [tag] }));
    const event = await createEvent(tag, { date: '2024-01' });

    await fanOutEvent(stack.fanout, event.id);

    const payload = payloadOf((await alertsOf(subscription))[0]!);
    expect(payload.type).toBe('event.created');
    expect(payload.data.event).toMatchObject({
      id: event.id,
      date: '2024-01',
      earliest: '2024-01-01',
      latest: '2024-01-31',
      precision: 'month',
      sources: alertEventInput().sources,
    });
    expect(payload.data).not.toHaveProperty('previous');
  });
});

describe('fan-out of an updated event', () => {
  it('carries the previous values of the changed fields and their names', async () => {
    const tag = freshTag();
    const subscription = await webhook(filterOn({ tags: [tag] }), ['event.updated']);
    const created = await createEvent(tag, { kind: 'pact-signing', date: '2024-06' });
    await fanOutEvent(stack.fanout, created.id);

    const refined = await stack.events.update(created.id, created.version, (input) => ({
      ...input,
      date: '2024-06-19',
    }));
    await fanOutEvent(stack.fanout, created.id);

    const alerts = await alertsOf(subscription);
    expect(alerts).toHaveLength(1);
    const payload = payloadOf(alerts[0]!);
    expect(payload.type).toBe('event.updated');
    expect(payload.data.previous).toEqual({ date: '2024-06' });
    expect(payload.data.changed).toEqual(['date']);
    expect(payload.data.event).toMatchObject({
      version: refined.version,
      date: '2024-06-19',
      precision: 'day',
      sources: alertEventInput().sources,
    });
  });

  it('alerts a subscription the event matched before the change but not after it', async () => {
    const tag = freshTag();
    const watchingKp = await webhook(filterOn({ actors: ['KP'], tags: [tag] }), ['event.updated']);
    const created = await createEvent(tag);
    await fanOutEvent(stack.fanout, created.id);

    await stack.events.update(created.id, created.version, (input) => ({
      ...input,
      actors: [{ type: 'state', code: 'RU' }],
    }));
    await fanOutEvent(stack.fanout, created.id);

    const [alert] = await alertsOf(watchingKp);
    expect(payloadOf(alert!).data.previous?.actors).toEqual(alertEventInput().actors);
  });
});

describe('fan-out of a deleted event', () => {
  it('alerts only the subscriptions that asked for event.deleted', async () => {
    const tag = freshTag();
    const deletions = await webhook(filterOn({ tags: [tag] }), ['event.deleted']);
    const creations = await webhook(filterOn({ tags: [tag] }), ['event.created']);
    const event = await createEvent(tag);
    await fanOutEvent(stack.fanout, event.id);

    await stack.events.remove(event.id);
    await fanOutEvent(stack.fanout, event.id);

    const [deleted] = await alertsOf(deletions);
    expect(deleted).toMatchObject({ kind: 'event.deleted', eventId: event.id });
    expect(payloadOf(deleted!).data.event).toMatchObject({
      id: event.id,
      sources: alertEventInput().sources,
    });
    expect((await alertsOf(creations)).map((delivery) => delivery.kind)).toEqual(['event.created']);
    expect(await stack.eventRepository.getItem(event.id)).toBeUndefined();
  });
});

describe('fan-out run again', () => {
  it('records nothing new when the same change is announced twice', async () => {
    const tag = freshTag();
    const subscriptions = await Promise.all([1, 2, 3].map(() => webhook(filterOn({ tags: [tag] }))));
    const event = await createEvent(tag);
    const item = await stack.eventRepository.getItem(event.id);
    const change = Object.values(item!.changes)[0]!;
    const queued = stack.queue.refs.length;

    const first = await fanOutChange(stack.fanout, event, change);
    const second = await fanOutChange(stack.fanout, event, change);

    expect(first.recorded).toBe(3);
    expect(second.recorded).toBe(0);
    const ids = await Promise.all(subscriptions.map(async (s) => (await alertsOf(s)).map((d) => d.id)));
    expect(ids.map((list) => list.length)).toEqual([1, 1, 1]);
    // Both runs enqueue (the first may have died before it did), with the very same ids.
    const enqueued = stack.queue.refs.slice(queued).map((ref) => ref.deliveryId);
    expect(enqueued).toHaveLength(6);
    expect(new Set(enqueued)).toEqual(new Set(ids.flat()));
  });

  it('announces nothing once the change was fanned out, and clears the feed marker', async () => {
    const tag = freshTag();
    const subscription = await webhook(filterOn({ tags: [tag] }));
    const event = await createEvent(tag);

    const first = await fanOutEvent(stack.fanout, event.id);
    const again = await fanOutEvent(stack.fanout, event.id);

    expect(first).toMatchObject({ changes: 1, deliveries: 1 });
    expect(again).toMatchObject({ changes: 0, deliveries: 0 });
    expect(await alertsOf(subscription)).toHaveLength(1);
    const item = await stack.eventRepository.getItem(event.id);
    expect(item?.changes).toEqual({});
    expect(item).not.toHaveProperty('feedPk');
  });

  it('records each delivery once when two fan-outs run at the same time', async () => {
    const tag = freshTag();
    const subscriptions = await Promise.all([1, 2, 3, 4].map(() => webhook(filterOn({ tags: [tag] }))));
    const event = await createEvent(tag);

    const results = await Promise.all([
      fanOutEvent(stack.fanout, event.id),
      fanOutEvent(stack.fanout, event.id),
    ]);

    expect(results.reduce((sum, result) => sum + result.deliveries, 0)).toBe(4);
    for (const subscription of subscriptions) expect(await alertsOf(subscription)).toHaveLength(1);
  });
});

describe('fan-out among 2,000 subscriptions', () => {
  let big: AlertStack;
  const matching = new Set<string>();

  /** A webhook subscription written straight to the repository (no secret needed: nothing is sent). */
  const seeded = (filter: SubscriptionFilter): Subscription =>
    activeSubscription({ channel: 'webhook', url: 'https://hooks.example.org/dateline', filter });

  beforeAll(async () => {
    big = await startAlertStack();
    const subscriptions: Subscription[] = [];
    const add = (count: number, filter: SubscriptionFilter, matches: boolean) => {
      for (let i = 0; i < count; i++) {
        const subscription = seeded(filter);
        subscriptions.push(subscription);
        if (matches) matching.add(subscription.id);
      }
    };
    // 20 that match a Hwasong-11 finding about the DPRK and Russia…
    add(10, filterOn({ actors: ['KP'] }), true);
    add(5, filterOn({ tags: ['hwasong-11'] }), true);
    add(5, filterOn({ kinds: ['missile-finding'], actors: ['KP', 'RU'] }), true);
    // …3 indexed where the event probes but failing another dimension…
    add(3, filterOn({ actors: ['KP'], kinds: ['statement'] }), false);
    // …and 1,977 indexed where it never looks.
    add(659, filterOn({ kinds: ['statement'] }), false);
    add(659, filterOn({ actors: ['US'] }), false);
    add(659, filterOn({ tags: ['pact'] }), false);
    expect(subscriptions).toHaveLength(2000);
    for (let start = 0; start < subscriptions.length; start += 500) {
      await Promise.all(
        subscriptions.slice(start, start + 500).map((s) => big.subscriptionRepository.create(s)),
      );
    }
  }, 60_000);
  afterAll(async () => {
    await big?.close();
  });

  it('reads at most 25 subscription items (1.25 per match) and records deliveries for exactly the 20 that match', async () => {
    const { event } = await big.events.create(
      alertEventInput({
        kind: 'missile-finding',
        date: '2024-01',
        actors: [
          { type: 'state', code: 'KP' },
          { type: 'state', code: 'RU' },
        ],
        tags: ['hwasong-11'],
      }),
    );

    const result = await fanOutEvent(big.fanout, event.id);

    // A subscription naming both of the event's actors sits under both actor keys and is read twice.
    expect(result.subscriptionsRead).toBeLessThanOrEqual(25);
    expect(result.deliveries).toBe(20);
    const pending = await big.deliveries.due(new Date(Date.now() + 60_000), 1000);
    expect(new Set(pending.map((ref) => ref.subscriptionId))).toEqual(matching);
    expect(pending).toHaveLength(20);
  });
});
