import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReplayService } from '../../shared/alerts/replay.ts';
import { SubscriptionService } from '../../shared/alerts/subscription-service.ts';
import type { AlertPayload } from '../../shared/domain/delivery.ts';
import { createApp } from '../../shared/http/app.ts';
import { createLogger } from '../../shared/platform/logger.ts';
import {
  type AlertStack,
  alertEventInput,
  bearer,
  json,
  linkIn,
  PUBLIC_URL,
  startAlertStack,
} from '../support/alert-stack.ts';
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink.ts';
import { signatureHeaders, startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

let stack: AlertStack;
let sink: SmtpSink;
let receiver: WebhookReceiver;
let writerKey: string;

beforeAll(async () => {
  [sink, receiver] = await Promise.all([startSmtpSink(), startWebhookReceiver('replay')]);
  stack = await startAlertStack({ smtpUrl: sink.url });
  writerKey = await stack.keyWith(['subscriptions:write']);
});
afterAll(async () => {
  await Promise.all([stack?.close(), sink?.close(), receiver?.close()]);
});

const call = (path: string, init?: RequestInit) => stack.app.request(path, init);

let tagCounter = 0;
const freshTag = () => `replay-${++tagCounter}`;

interface Created {
  id: string;
  secret: string;
  token: string;
  backfill?: { id: string; events: number };
}
interface ReplayAnswer {
  id: string;
  subscriptionId: string;
  from: string;
  to: string;
  events: number;
}

async function webhook(tag: string, extra: Record<string, unknown> = {}): Promise<Created> {
  const response = await call(
    '/v1/subscriptions',
    json(
      'POST',
      { channel: 'webhook', url: `${receiver.url}/${tag}`, filter: { tags: [tag] }, ...extra },
      bearer(writerKey),
    ),
  );
  expect(response.status).toBe(201);
  return (await response.json()) as Created;
}

/** Past events under `tag`, one per date, created (and fanned out, nothing matching yet) before anyone subscribes. */
async function past(tag: string, dates: string[]): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for (const date of dates) {
    const { event } = await stack.events.create(alertEventInput({ tags: [tag], date, title: `On ${date}` }));
    ids.set(date, event.id);
  }
  await stack.settle();
  return ids;
}

const replay = (id: string, token: string, body: unknown, headers: Record<string, string> = {}) =>
  call(`/v1/subscriptions/${id}/replay`, json('POST', body, { ...bearer(token), ...headers }));
const hooksFor = (tag: string) => receiver.received.filter((hook) => hook.path.endsWith(`/${tag}`));
const payloads = (tag: string) => hooksFor(tag).map((hook) => JSON.parse(hook.body) as AlertPayload);

describe('POST /v1/subscriptions/{id}/replay', () => {
  it('sends the matching events whose own date overlaps from..to, in timeline order, as signed event.created with replay: true', async () => {
    const tag = freshTag();
    const ids = await past(tag, [
      '2024-06-28',
      '2023-12-31',
      '2024',
      '2024-01',
      '2024-06-10/2024-07-05',
      '2024-07-01',
    ]);
    await stack.events.create(alertEventInput({ tags: [`${tag}-other`], date: '2024-03' }));
    await stack.settle();
    const subscription = await webhook(tag);

    const response = await replay(subscription.id, subscription.token, { from: '2024-01', to: '2024-06' });

    expect(response.status).toBe(202);
    const answer = (await response.json()) as ReplayAnswer;
    expect(answer).toMatchObject({
      subscriptionId: subscription.id,
      from: '2024-01-01',
      to: '2024-06-30',
      events: 4,
    });
    await stack.settle();
    const received = hooksFor(tag);
    // Timeline order: by first day, the narrower date first (January 2024 before the whole of 2024).
    expect(received.map((hook) => (JSON.parse(hook.body) as AlertPayload).data.event?.id)).toEqual([
      ids.get('2024-01'),
      ids.get('2024'),
      ids.get('2024-06-10/2024-07-05'),
      ids.get('2024-06-28'),
    ]);
    for (const hook of received) {
      const payload = new Webhook(subscription.secret).verify(
        hook.body,
        signatureHeaders(hook),
      ) as AlertPayload;
      expect(payload).toMatchObject({ type: 'event.created', data: { replay: true, replayId: answer.id } });
    }
  });

  it('shows every replayed delivery in the delivery log with the replay id', async () => {
    const tag = freshTag();
    await past(tag, ['2022-02-24', '2019-12']);
    const subscription = await webhook(tag);
    const answer = (await (
      await replay(subscription.id, subscription.token, { from: '2019', to: '2022' })
    ).json()) as ReplayAnswer;
    await stack.settle();

    const log = await call(`/v1/subscriptions/${subscription.id}/deliveries`, {
      headers: bearer(subscription.token),
    });
    const items = ((await log.json()) as { items: { kind: string; replayId?: string; status: string }[] })
      .items;

    expect(items).toHaveLength(2);
    for (const item of items)
      expect(item).toMatchObject({ kind: 'event.created', replayId: answer.id, status: 'delivered' });
  });

  it('takes one replay a minute per subscription: the next gets 429 with Retry-After', async () => {
    const tag = freshTag();
    await past(tag, ['2024-01']);
    const subscription = await webhook(tag);
    expect((await replay(subscription.id, subscription.token, { from: '2024', to: '2024' })).status).toBe(
      202,
    );

    const again = await replay(subscription.id, subscription.token, { from: '2023', to: '2023' });

    expect(again.status).toBe(429);
    expect(again.headers.get('content-type')).toBe('application/problem+json');
    const retryAfter = Number(again.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
  });

  it('with an Idempotency-Key, answers a repeat with the first replay and sends nothing twice', async () => {
    const tag = freshTag();
    await past(tag, ['2024-02', '2024-03']);
    const subscription = await webhook(tag);
    const key = { 'idempotency-key': `replay-${tag}` };

    const first = (await (
      await replay(subscription.id, subscription.token, { from: '2024', to: '2024' }, key)
    ).json()) as ReplayAnswer;
    const repeat = await replay(subscription.id, subscription.token, { from: '2024', to: '2024' }, key);
    const other = await replay(subscription.id, subscription.token, { from: '2023', to: '2024' }, key);
    await stack.settle();

    expect(repeat.status).toBe(202);
    expect(((await repeat.json()) as ReplayAnswer).id).toBe(first.id);
    expect(other.status).toBe(422);
    expect(hooksFor(tag)).toHaveLength(2);
  });

  it('refuses a range whose from is after its to, or boundaries that are not EDTF dates, with 400 naming the field', async () => {
    const tag = freshTag();
    const subscription = await webhook(tag);
    const cases: [unknown, string][] = [
      [{ from: '2024-07', to: '2024-06' }, 'body.from'],
      [{ from: 'June 2024', to: '2024-06' }, 'body.from'],
      [{ from: '2024-01', to: '2024-13' }, 'body.to'],
      [{ from: '2024-01~', to: '2024-02' }, 'body.from'],
      [{ from: '2024-01' }, 'body.to'],
      [{ from: '2024-01', to: '2024-02', limit: 3 }, 'body'],
    ];
    for (const [body, path] of cases) {
      const response = await replay(subscription.id, subscription.token, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      const problem = (await response.json()) as { errors: { path: string }[] };
      expect(
        problem.errors.map((error) => error.path),
        JSON.stringify(body),
      ).toContain(path);
    }
  });

  it('needs the subscription token or an admin key', async () => {
    const tag = freshTag();
    const subscription = await webhook(tag);
    const other = await webhook(freshTag());
    expect(
      (await call(`/v1/subscriptions/${subscription.id}/replay`, json('POST', { from: '2024', to: '2024' })))
        .status,
    ).toBe(401);
    expect((await replay(subscription.id, other.token, { from: '2024', to: '2024' })).status).toBe(401);
    expect((await replay(subscription.id, stack.adminKey, { from: '2024', to: '2024' })).status).toBe(202);
    expect(
      (await replay('01J00000000000000000000000', stack.adminKey, { from: '2024', to: '2024' })).status,
    ).toBe(404);
  });

  it('refuses an unsubscribed subscription with 409', async () => {
    const tag = freshTag();
    const subscription = await webhook(tag);
    await stack.service.unsubscribe(subscription.id);
    const response = await replay(subscription.id, stack.adminKey, { from: '2024', to: '2024' });
    expect(response.status).toBe(409);
  });
});

describe('a replay beyond its bound', () => {
  it('is refused with 422 telling the client to narrow the range, and takes no rate slot', async () => {
    // The same pipeline with a bound of 3 events a replay (the deployed one is 500).
    const replays = new ReplayService({
      table: stack.table,
      deliveries: stack.deliveries,
      queue: stack.queue,
      maxEvents: 3,
    });
    const service = new SubscriptionService({
      subscriptions: stack.subscriptionRepository,
      deliveries: stack.deliveries,
      queue: stack.queue,
      deliver: stack.deliver,
      replays,
    });
    const app = createApp({
      events: stack.events,
      apiKeys: stack.apiKeys,
      tokenKey: stack.deliver.tokenKey,
      logger: createLogger({ service: 'test', write: () => {} }),
      publicUrl: PUBLIC_URL,
      subscriptions: { service: async () => service },
    });
    const tag = freshTag();
    await past(tag, ['2024-01', '2024-02', '2024-03', '2024-04']);
    const subscription = await webhook(tag);
    const post = (body: unknown) =>
      app.request(
        `/v1/subscriptions/${subscription.id}/replay`,
        json('POST', body, bearer(subscription.token)),
      );

    const tooBroad = await post({ from: '2024', to: '2024' });

    expect(tooBroad.status).toBe(422);
    const problem = (await tooBroad.json()) as { type: string; detail: string };
    expect(problem.type).toBe('/problems/range-too-broad');
    expect(problem.detail).toMatch(/at most 3.*Narrow from\/to/);
    expect((await post({ from: '2024-01', to: '2024-03' })).status).toBe(202);
  });
});

describe('backfill on subscribing', () => {
  it('sends a new webhook the latest matching events at once, in timeline order', async () => {
    const tag = freshTag();
    const ids = await past(tag, ['2019-12', '2024-06-19', '2022-02-24', '2024-06-28']);

    const created = await webhook(tag, { backfill: { limit: 2 } });
    await stack.settle();

    expect(created.backfill).toMatchObject({ events: 2, limit: 2 });
    expect(payloads(tag).map((payload) => payload.data.event?.id)).toEqual([
      ids.get('2024-06-19'),
      ids.get('2024-06-28'),
    ]);
    expect(
      payloads(tag).every(
        (payload) => payload.data.replay === true && payload.data.replayId === created.backfill?.id,
      ),
    ).toBe(true);
  });

  it('sends a webhook the events dated within from..to', async () => {
    const tag = freshTag();
    const ids = await past(tag, ['2019-12', '2024-01', '2024-06-19']);

    const created = await webhook(tag, { backfill: { from: '2024', to: '2024-03' } });
    await stack.settle();

    expect(created.backfill).toMatchObject({ from: '2024-01-01', to: '2024-03-31', events: 1 });
    expect(payloads(tag).map((payload) => payload.data.event?.id)).toEqual([ids.get('2024-01')]);
  });

  it('refuses a backfill of more than 50 by count, or an empty range, with 400', async () => {
    const tag = freshTag();
    for (const backfill of [{ limit: 51 }, { limit: 0 }, { from: '2024-02', to: '2024-01' }, { count: 3 }]) {
      const response = await call(
        '/v1/subscriptions',
        json('POST', { channel: 'webhook', url: `${receiver.url}/${tag}`, backfill }, bearer(writerKey)),
      );
      expect(response.status, JSON.stringify(backfill)).toBe(400);
    }
  });

  it('sends an email subscription its backfill once it is confirmed, once, as "From the timeline" mails', async () => {
    const tag = freshTag();
    await past(tag, ['2024-01', '2024-06-15~']);
    const address = `backfill-${tag}@example.net`;
    const subscribed = await call(
      '/v1/subscriptions',
      json('POST', {
        channel: 'email',
        address,
        filter: { tags: [tag] },
        backfill: { from: '2024', to: '2024' },
      }),
    );
    expect(subscribed.status).toBe(202);
    await stack.settle();
    const [confirmation, ...others] = await sink.waitFor((mail) => mail.to.includes(address));
    expect(others).toEqual([]);
    const token = new URL(
      linkIn(confirmation!.parsed.text ?? '', '/v1/subscriptions/confirm'),
    ).searchParams.get('token')!;

    await stack.service.confirm(token);
    await stack.service.confirm(token);
    await stack.settle();

    const mails = await sink.waitFor((mail) => mail.to.includes(address), 3);
    expect(mails).toHaveLength(3);
    expect(mails.slice(1).map((mail) => mail.parsed.subject)).toEqual([
      '[Dateline] From the timeline: On 2024-01 (January 2024)',
      '[Dateline] From the timeline: On 2024-06-15~ (mid-June 2024, approximate)',
    ]);
    expect(mails[1]!.parsed.text).toContain('ICARO Media Group');
  });
});
