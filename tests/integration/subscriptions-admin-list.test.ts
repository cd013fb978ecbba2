import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Subscription } from '../../shared/domain/subscription.ts';
import { subscriptionListKey } from '../../shared/store/keys.ts';
import { shardOf } from '../../shared/store/shards.ts';
import { SubscriptionListing } from '../../shared/store/subscription-listing.ts';
import { shardCounts } from '../../shared/store/table.ts';
import { type AlertStack, startAlertStack } from '../support/alert-stack.ts';
import { bearer, type ProblemBody } from '../support/test-app.ts';

let stack: AlertStack;
/** What the subscribers were shown once: every webhook's secret and management token. */
const shownOnce: string[] = [];
const created: Subscription[] = [];
let sent: { command: string; scanned: number; keys: number }[] = [];

const filter = { kinds: [], actors: [], tags: [] };
const WEBHOOKS = 60;
const EMAILS = 40;

beforeAll(async () => {
  stack = await startAlertStack();
  for (let i = 0; i < WEBHOOKS; i++) {
    const { subscription, secret, token } = await stack.service.subscribeWebhook({
      url: `https://hooks.example.org/hook-${i}`,
      filter,
      types: ['event.created'],
    });
    shownOnce.push(secret, token);
    created.push(subscription);
  }
  for (let i = 0; i < EMAILS; i++)
    created.push(await stack.service.subscribeEmail(`reader-${i}@example.org`, filter, ['event.created']));
  // Some of each status: unsubscribe every fifth, disable every seventh webhook, confirm every third email.
  for (const [i, subscription] of created.entries()) {
    if (i % 5 === 0) await stack.service.unsubscribe(subscription.id);
    else if (subscription.channel === 'webhook' && i % 7 === 0) await setStatus(subscription.id, 'disabled');
    else if (subscription.channel === 'email' && i % 3 === 0) await setStatus(subscription.id, 'active');
  }
  stack.table.client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const input = args.input as { RequestItems?: Record<string, { Keys?: unknown[] }> };
      sent.push({
        command: String(context.commandName),
        scanned: (result.output as { ScannedCount?: number }).ScannedCount ?? 0,
        keys: Object.values(input.RequestItems ?? {}).reduce(
          (n, request) => n + (request.Keys?.length ?? 0),
          0,
        ),
      });
      return result;
    },
    { step: 'initialize', name: 'recordRequests' },
  );
}, 120_000);
afterAll(async () => {
  await stack?.close();
});

/** A status change as the health check (disabled) or the confirmation link (active) makes it. */
async function setStatus(id: string, status: Subscription['status']) {
  const current = await stack.subscriptionRepository.get(id);
  await stack.subscriptionRepository.save(current, { ...current, status, version: current.version + 1 });
}

const stored = async () =>
  Promise.all(created.map((subscription) => stack.subscriptionRepository.get(subscription.id)));

const list = (query: string, key = stack.adminKey) =>
  stack.app.request(`/v1/subscriptions${query ? `?${query}` : ''}`, { headers: bearer(key) });

interface Page {
  items: (Subscription & Record<string, unknown>)[];
  nextCursor: string | null;
}

/** Every page of a listing; also returns the raw JSON of each. */
async function allPages(query: string) {
  const raw: string[] = [];
  const items: Page['items'] = [];
  let cursor: string | null = null;
  do {
    const response = await list(
      [query, cursor ? `cursor=${encodeURIComponent(cursor)}` : ''].filter(Boolean).join('&'),
    );
    expect(response.status).toBe(200);
    const text = await response.text();
    raw.push(text);
    const page = JSON.parse(text) as Page;
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return { items, raw };
}

const listingOrder = (subscriptions: Pick<Subscription, 'status' | 'channel' | 'id'>[]) =>
  subscriptions.map((s) => `${s.status}#${s.channel}#${s.id}`);

describe('GET /v1/subscriptions (admin listing)', () => {
  it('lists every subscription once, page by page, ordered by status, channel and id', async () => {
    const { items } = await allPages('limit=7');
    const expected = listingOrder(await stored()).sort();
    expect(listingOrder(items)).toEqual(expected);
    expect(new Set(items.map((item) => item.status))).toEqual(
      new Set(['active', 'disabled', 'pending', 'unsubscribed']),
    );
  });

  it.each([
    ['status=active', (s: Subscription) => s.status === 'active'],
    ['status=disabled', (s: Subscription) => s.status === 'disabled'],
    ['channel=email', (s: Subscription) => s.channel === 'email'],
    ['status=pending&channel=email', (s: Subscription) => s.status === 'pending' && s.channel === 'email'],
    [
      'status=unsubscribed&channel=webhook',
      (s: Subscription) => s.status === 'unsubscribed' && s.channel === 'webhook',
    ],
    ['status=pending&channel=webhook', () => false],
  ])('filters by %s', async (query, keep) => {
    const { items } = await allPages(`${query}&limit=4`);
    expect(listingOrder(items)).toEqual(listingOrder((await stored()).filter(keep)).sort());
  });

  it('never shows a secret, a token or a token hash', async () => {
    const hashes = (await stored()).flatMap((subscription) => [
      ...(subscription.tokenHash ? [subscription.tokenHash] : []),
      ...subscription.secrets.map((secret) => secret.sealed),
    ]);
    expect(hashes.length).toBeGreaterThanOrEqual(2 * WEBHOOKS);
    const { raw, items } = await allPages('limit=50');
    const everything = raw.join('\n');
    expect(items.length).toBe(created.length);
    for (const secret of [...shownOnce, ...hashes]) {
      expect(secret).toBeTruthy();
      expect(everything).not.toContain(secret!);
    }
    expect(everything).not.toMatch(/whsec_|dls_|"secrets"|"tokenHash"|"secret"|"token"/);
  });

  it('reads about a page, not the table', async () => {
    sent = [];
    const response = await list('limit=10');
    expect(((await response.json()) as Page).items).toHaveLength(10);
    const listingRead = sent.filter((r) => r.command === 'QueryCommand').reduce((n, r) => n + r.scanned, 0);
    const subscriptionsRead = sent
      .filter((r) => r.command.startsWith('BatchGet'))
      .reduce((n, r) => n + r.keys, 0);
    // Four shards read a chunk of a quarter of the page (+2) at a time: what the page takes, plus at
    // most one unused chunk per shard. Then the ten subscriptions themselves.
    const chunk = Math.ceil(11 / 4) + 2;
    expect(listingRead).toBeLessThanOrEqual(11 + 4 * chunk);
    expect(listingRead).toBeLessThan(created.length);
    expect(subscriptionsRead).toBe(10);
    expect(sent.some((r) => r.command === 'ScanCommand')).toBe(false);
  });

  it('needs an admin key: 401 without one, 403 for other keys and for a subscription token', async () => {
    const noKey = await stack.app.request('/v1/subscriptions');
    expect(noKey.status).toBe(401);
    for (const key of [
      await stack.keyWith(['events:write']),
      await stack.keyWith(['subscriptions:write']),
      shownOnce[1]!, // a management token
    ]) {
      const response = await list('', key);
      expect(response.status).toBe(403);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
    }
    expect((await list('', 'dl_not_a_key_at_all')).status).toBe(401);
  });

  it.each([
    ['status=gone', 'query.status'],
    ['channel=sms', 'query.channel'],
    ['limit=0', 'query.limit'],
    ['limit=201', 'query.limit'],
    ['cursor=garbage', 'query.cursor'],
  ])('refuses %s with 400 naming %s', async (query, path) => {
    const response = await list(query);
    expect(response.status).toBe(400);
    const problem = (await response.json()) as ProblemBody;
    expect(problem.errors?.map((error) => error.path)).toEqual([path]);
  });

  it('is in the OpenAPI document, with its filters and the admin key it needs', async () => {
    const document = (await (await stack.app.request('/openapi.json')).json()) as {
      paths: Record<
        string,
        Record<string, { parameters: { name: string }[]; security?: unknown[]; responses: object }>
      >;
    };
    const operation = document.paths['/v1/subscriptions']?.get;
    expect(operation?.parameters.map((parameter) => parameter.name).sort()).toEqual([
      'channel',
      'cursor',
      'limit',
      'status',
    ]);
    expect(operation?.security).toEqual([{ bearer: [] }]);
    expect(Object.keys(operation?.responses ?? {})).toEqual(
      expect.arrayContaining(['200', '400', '401', '403']),
    );
  });

  it('refuses a cursor issued for another filter', async () => {
    const first = (await (await list('status=active&limit=1')).json()) as Page;
    const response = await list(`status=pending&limit=1&cursor=${encodeURIComponent(first.nextCursor!)}`);
    expect(response.status).toBe(400);
    expect(((await response.json()) as ProblemBody).errors?.[0]?.path).toBe('query.cursor');
  });

  it('skips the listing item a writer left when it stopped before saving, and removes it after a grace', async () => {
    const subscription = await stack.subscriptionRepository.get(created[2]!.id);
    expect(subscription.status).toBe('active');
    // The writer entered the subscription under "disabled" and stopped before writing it.
    await stack.subscriptionRepository.listing.enter(
      { ...subscription, status: 'disabled', version: subscription.version + 1 },
      subscription,
    );
    const staleKey = subscriptionListKey(
      shardOf(subscription.id, shardCounts.subscriptionList),
      'disabled',
      subscription.channel,
      subscription.id,
    );
    const stale = () =>
      stack.table.client.send(
        new GetCommand({ TableName: stack.table.name, Key: staleKey, ConsistentRead: true }),
      );
    expect((await stale()).Item).toBeDefined();

    const disabled = await allPages('status=disabled');
    const active = await allPages('status=active');

    expect(disabled.items.map((item) => item.id)).not.toContain(subscription.id);
    expect(active.items.filter((item) => item.id === subscription.id)).toHaveLength(1);
    // Its writer might still be about to save that version: the item stays for now…
    expect((await stale()).Item).toBeDefined();
    // …and goes once no writer can be that slow.
    const later = new SubscriptionListing(stack.table, () => new Date(Date.now() + 6 * 60_000));
    const page = await later.page({ status: 'disabled', limit: 200 });
    expect(page.subscriptions.map((item) => item.id)).not.toContain(subscription.id);
    expect((await stale()).Item).toBeUndefined();
  });

  it('removes at once the listing item of a writer that lost a race for the same version', async () => {
    const subscription = await stack.subscriptionRepository.get(created[4]!.id);
    const loser = { ...subscription, status: 'disabled' as const, version: subscription.version + 1 };
    await stack.subscriptionRepository.listing.enter(loser, subscription);
    await setStatus(subscription.id, 'unsubscribed');

    const { items } = await allPages('status=disabled');
    expect(items.map((item) => item.id)).not.toContain(subscription.id);
    const key = subscriptionListKey(
      shardOf(subscription.id, shardCounts.subscriptionList),
      'disabled',
      subscription.channel,
      subscription.id,
    );
    const left = await stack.table.client.send(
      new GetCommand({ TableName: stack.table.name, Key: key, ConsistentRead: true }),
    );
    expect(left.Item).toBeUndefined();
  });
});
