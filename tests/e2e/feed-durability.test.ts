import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLocalStore } from '../../shared/local/local-store.ts';
import { DeliveryRepository } from '../../shared/store/delivery-repository.ts';
import { EventRepository } from '../../shared/store/event-repository.ts';
import { FEED_PREFIX } from '../../shared/store/keys.ts';
import { type RuntimeProcess, startRuntimeProcess } from '../support/runtime-process.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

interface LoggedDelivery {
  id: string;
  eventId?: string;
  status: string;
  attempts: { at: string; status?: number; error?: string; latencyMs: number }[];
}

let dataDir: string;
let receiver: WebhookReceiver;
let runtime: RuntimeProcess | undefined;

const start = () =>
  startRuntimeProcess({
    DATELINE_DATA_DIR: dataDir,
    PORT: '0',
    DATELINE_ALLOW_LOOPBACK_WEBHOOKS: '1',
    DATELINE_RETRY_SCHEDULE: '0,1,1',
    DATELINE_SEED: '0',
    LOG_LEVEL: 'warn',
  });

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'dateline-durability-'));
  receiver = await startWebhookReceiver('durable');
  runtime = await start();
});
afterAll(async () => {
  await runtime?.stop();
  await receiver?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function api(path: string, options: { method?: string; key?: string; body?: unknown } = {}) {
  return fetch(`${runtime!.url}${path}`, {
    method: options.method ?? 'GET',
    headers: {
      ...(options.key ? { authorization: `Bearer ${options.key}` } : {}),
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
}

async function subscribe(url: string, tag: string): Promise<{ id: string; token: string }> {
  const response = await api('/v1/subscriptions', {
    method: 'POST',
    key: runtime!.adminKey,
    body: { channel: 'webhook', url, filter: { tags: [tag] } },
  });
  expect(response.status).toBe(201);
  return (await response.json()) as { id: string; token: string };
}

async function createEvent(tag: string): Promise<string> {
  const response = await api('/v1/events', {
    method: 'POST',
    key: runtime!.adminKey,
    body: {
      kind: 'pact-signing',
      title: 'Russia and the DPRK sign a pact',
      summary: 'Putin and Kim sign a comprehensive strategic partnership pact.',
      date: '2024-06-19',
      actors: [
        { type: 'state', code: 'RU' },
        { type: 'state', code: 'KP' },
      ],
      tags: [tag],
      sources: [
        {
          url: 'https://icaro.icaromediagroup.com/system/images/photos/16275633/original/open-uri20240628-56-oe3how?1719615127',
          title: 'US and Allies Accuse Russia and China of Violating Arms Embargo on North Korea',
          publisher: 'ICARO Media Group',
          publishedAt: '2024-06-28T22:45',
        },
      ],
    },
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

/** Polls the delivery log until `done` holds for it, or fails after `timeoutMs`. */
async function logUntil(
  subscription: { id: string; token: string },
  done: (items: LoggedDelivery[]) => boolean,
  timeoutMs = 20_000,
): Promise<LoggedDelivery[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await api(`/v1/subscriptions/${subscription.id}/deliveries`, {
      key: subscription.token,
    });
    const { items } = (await response.json()) as { items: LoggedDelivery[] };
    if (done(items)) return items;
    if (Date.now() > deadline) throw new Error(`delivery log never got there: ${JSON.stringify(items)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('durability of the local alert pipeline', () => {
  it('dead-letters a delivery whose receiver is down all through the schedule, and delivers it on retry', async () => {
    const down = await startWebhookReceiver('down');
    try {
      await down.stop();
      const subscription = await subscribe(down.url, 'receiver-down');
      const eventId = await createEvent('receiver-down');

      const [dead] = await logUntil(subscription, (items) => items[0]?.status === 'dead');

      expect(dead).toMatchObject({ eventId, status: 'dead' });
      expect(dead!.attempts).toHaveLength(3);
      for (const attempt of dead!.attempts) expect(attempt).toMatchObject({ error: 'connection refused' });
      expect(down.received).toEqual([]);

      await down.start();
      const retry = await api(`/v1/subscriptions/${subscription.id}/deliveries/${dead!.id}/retry`, {
        method: 'POST',
        key: subscription.token,
      });
      expect(retry.status).toBe(202);

      const [received] = await down.waitFor((request) => request.body.includes(eventId));
      expect(received!.headers['webhook-id']).toBe(dead!.id);
      const [delivered] = await logUntil(subscription, (items) => items[0]?.status === 'delivered');
      expect(delivered!.attempts.map((attempt) => attempt.status ?? attempt.error)).toEqual([
        'connection refused',
        'connection refused',
        'connection refused',
        200,
      ]);
    } finally {
      await down.close();
    }
  });

  it('still alerts an event accepted right before the runtime was killed, once it restarts', async () => {
    await subscribe(receiver.url, 'crash');

    const eventId = await createEvent('crash');
    await runtime!.crash();
    // What the crash left on disk: the event's change marker, or (had fan-out run) its pending delivery.
    const store = await openLocalStore(dataDir);
    try {
      const item = await new EventRepository(store.table).getItem(eventId);
      const due = await new DeliveryRepository(store.table).due(new Date(Date.now() + 3_600_000), 100);
      const delivered = receiver.received.some((request) => request.body.includes(eventId));
      expect(item?.feedPk?.startsWith(FEED_PREFIX) || due.length > 0 || delivered).toBe(true);
    } finally {
      await store.close();
    }
    runtime = await start();

    const received = await receiver.waitFor((request) => request.body.includes(eventId));
    expect(JSON.parse(received[0]!.body)).toMatchObject({
      type: 'event.created',
      data: { event: { id: eventId } },
    });
    // However often it arrived (a crash between send and record re-sends it), it is one delivery.
    expect(new Set(received.map((request) => request.headers['webhook-id'])).size).toBe(1);
  });
});
