/**
 * Email health on one machine, end to end: the local runtime started as a user starts it, mail
 * through a real SMTP server on loopback that refuses some recipients. A 550 for an address
 * disables its subscription (with the server's words) and stops mail to it; a 450 is retried on
 * the schedule until the mailbox takes it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RuntimeProcess, startRuntimeProcess } from '../support/runtime-process.ts';
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink.ts';

const HEALTHY = 'healthy@example.net';
const BOUNCING = 'no-such-user@example.net';
const BUSY = 'busy-mailbox@example.net';

let dataDir: string;
let sink: SmtpSink;
let runtime: RuntimeProcess | undefined;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'dateline-e2e-health-'));
  sink = await startSmtpSink();
  runtime = await startRuntimeProcess({
    DATELINE_DATA_DIR: dataDir,
    PORT: '0',
    SMTP_URL: sink.url,
    // Room between attempts for the test to let the busy mailbox take the mail.
    DATELINE_RETRY_SCHEDULE: '0,2,5,10,30',
    DATELINE_SEED: '0',
    LOG_LEVEL: 'warn',
  });
});
afterAll(async () => {
  await runtime?.stop();
  await sink?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const api = (path: string, options: { method?: string; body?: unknown; admin?: boolean } = {}) =>
  fetch(`${runtime!.url}${path}`, {
    method: options.method ?? 'GET',
    headers: {
      ...(options.admin ? { authorization: `Bearer ${runtime!.adminKey}` } : {}),
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });

const subscription = async (id: string) =>
  (await (await api(`/v1/subscriptions/${id}`, { admin: true })).json()) as Record<string, unknown>;

/** Polls until `check` holds (or fails with what it last saw). */
async function until<T>(
  read: () => Promise<T>,
  check: (value: T) => boolean,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (check(value)) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting; last saw ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Subscribes by email and follows the link in the confirmation mail (pressing the page's button if it has one). */
async function confirmedSubscriber(address: string): Promise<string> {
  const response = await api('/v1/subscriptions', {
    method: 'POST',
    body: { channel: 'email', address, filter: { actors: ['KP'] } },
  });
  expect(response.status).toBe(202);
  const { id } = (await response.json()) as { id: string };
  const [confirmation] = await sink.waitFor((mail) => mail.to.includes(address));
  const link = /https?:\/\/\S+\/v1\/subscriptions\/confirm\?token=\S+/.exec(
    confirmation!.parsed.text ?? '',
  )![0];
  await fetch(link);
  if ((await subscription(id)).status !== 'active') await fetch(link, { method: 'POST' });
  expect((await subscription(id)).status).toBe('active');
  return id;
}

async function createEvent(title: string): Promise<string> {
  const response = await api('/v1/events', {
    method: 'POST',
    admin: true,
    body: {
      kind: 'missile-launch',
      title,
      summary: 'Ballistic missiles, possibly supplied by the DPRK, were fired at Ukraine.',
      date: '2024-06-15~',
      actors: [{ type: 'state', code: 'KP' }],
      tags: ['ballistic-missiles'],
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

const alertFor = (address: string, eventId: string) => (mail: { to: string[]; parsed: { text?: string } }) =>
  mail.to.includes(address) && (mail.parsed.text ?? '').includes(`/v1/events/${eventId}`);

describe('email health on the local runtime, end to end', () => {
  it('disables an address the mail server refuses for good, and retries one it refuses for now', async () => {
    const [healthy, bouncing, busy] = [
      await confirmedSubscriber(HEALTHY),
      await confirmedSubscriber(BOUNCING),
      await confirmedSubscriber(BUSY),
    ];
    sink.refuse(BOUNCING, '550 5.1.1 user unknown');
    sink.refuse(BUSY, '450 4.2.1 mailbox busy, try again later');

    const first = await createEvent('Four ballistic missiles fired at Ukraine');
    await sink.waitFor(alertFor(HEALTHY, first));

    // 550: disabled at once, with what the server said.
    expect(
      await until(
        () => subscription(bouncing),
        (state) => state.status === 'disabled',
      ),
    ).toMatchObject({ statusReason: 'the address bounced permanently: 550 5.1.1 user unknown' });

    // 450: the subscription is marked failing and the delivery waits for its next attempt.
    const failing = await until(
      () => subscription(busy),
      (state) => typeof state.failingSince === 'string',
    );
    expect(failing.status).toBe('active');
    sink.accept(BUSY);
    await sink.waitFor(alertFor(BUSY, first), 1, 30_000);
    const recovered = await until(
      () => subscription(busy),
      (state) => state.failingSince === undefined,
    );
    expect(recovered).toMatchObject({ status: 'active' });
    expect(Date.parse(recovered.lastDeliveryAt as string)).toBeGreaterThanOrEqual(
      Date.parse(failing.failingSince as string),
    );
    expect(await subscription(healthy)).toMatchObject({
      status: 'active',
      lastDeliveryAt: expect.any(String),
    });

    // The next event reaches the others; the disabled address is not even tried.
    const refusals = sink.refusals(BOUNCING);
    const second = await createEvent('More ballistic missiles fired at Ukraine');
    await sink.waitFor(alertFor(HEALTHY, second));
    await sink.waitFor(alertFor(BUSY, second));
    expect(sink.refusals(BOUNCING)).toBe(refusals);
    const log = await api(`/v1/subscriptions/${bouncing}/deliveries`, { admin: true });
    const { items } = (await log.json()) as { items: { eventId?: string; status: string }[] };
    expect(items.filter((delivery) => delivery.eventId === first)).toMatchObject([{ status: 'gone' }]);
    expect(items.map((delivery) => delivery.eventId)).not.toContain(second);
  });
});
