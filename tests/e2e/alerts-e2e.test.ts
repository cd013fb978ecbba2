import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RuntimeProcess, startRuntimeProcess } from '../support/runtime-process.ts';
import { headerLine, type SmtpSink, startSmtpSink } from '../support/smtp-sink.ts';
import { signatureHeaders, startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

const READER = 'reader@example.net';
const ICARO = {
  url: 'https://icaro.icaromediagroup.com/system/images/photos/16275633/original/open-uri20240628-56-oe3how?1719615127',
  title: 'US and Allies Accuse Russia and China of Violating Arms Embargo on North Korea',
  publisher: 'ICARO Media Group',
  publishedAt: '2024-06-28T22:45',
};

let dataDir: string;
let sink: SmtpSink;
let receiver: WebhookReceiver;
let runtime: RuntimeProcess | undefined;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'dateline-e2e-'));
  [sink, receiver] = await Promise.all([startSmtpSink(), startWebhookReceiver('e2e')]);
  runtime = await startRuntimeProcess({
    DATELINE_DATA_DIR: dataDir,
    PORT: '0',
    SMTP_URL: sink.url,
    DATELINE_ALLOW_LOOPBACK_WEBHOOKS: '1',
    DATELINE_RETRY_SCHEDULE: '0,1,1',
    DATELINE_SEED: '0',
    LOG_LEVEL: 'warn',
  });
});
afterAll(async () => {
  await runtime?.stop();
  await Promise.all([sink?.close(), receiver?.close()]);
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const api = (path: string, options: { method?: string; key?: string; body?: unknown } = {}) =>
  fetch(`${runtime!.url}${path}`, {
    method: options.method ?? 'GET',
    headers: {
      ...(options.key ? { authorization: `Bearer ${options.key}` } : {}),
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });

const isAlertFor = (eventId: string) => (mail: { to: string[]; parsed: { text?: string } }) =>
  mail.to.includes(READER) && (mail.parsed.text ?? '').includes(`/events/${eventId}`);

async function createEvent(title: string): Promise<{ id: string }> {
  const response = await api('/v1/events', {
    method: 'POST',
    key: runtime!.adminKey,
    body: {
      kind: 'missile-launch',
      title,
      summary: 'Ballistic missiles, possibly supplied by the DPRK, were fired at Ukraine.',
      date: '2024-06-15~',
      actors: [
        { type: 'state', code: 'KP' },
        { type: 'state', code: 'RU' },
      ],
      tags: ['ballistic-missiles'],
      sources: [ICARO],
    },
  });
  expect(response.status).toBe(201);
  return (await response.json()) as { id: string };
}

describe('alerts on the local runtime, end to end', () => {
  it('alerts a webhook and a confirmed email subscriber, and stops mailing after a one-click unsubscribe', async () => {
    // Subscribe a webhook (with the printed admin key) and an email address.
    const webhookResponse = await api('/v1/subscriptions', {
      method: 'POST',
      key: runtime!.adminKey,
      body: { channel: 'webhook', url: receiver.url, filter: { actors: ['KP'] } },
    });
    expect(webhookResponse.status).toBe(201);
    const { secret } = (await webhookResponse.json()) as { secret: string };
    const emailResponse = await api('/v1/subscriptions', {
      method: 'POST',
      body: { channel: 'email', address: READER, filter: { actors: ['KP'] } },
    });
    expect(emailResponse.status).toBe(202);
    const { id: emailId } = (await emailResponse.json()) as { id: string };

    // Confirm the address as a person does: the link opens a page (following it confirms
    // nothing), whose Confirm button POSTs.
    const [confirmation] = await sink.waitFor((mail) => mail.to.includes(READER));
    const confirmLink = /https?:\/\/\S+\/v1\/subscriptions\/confirm\?token=\S+/.exec(
      confirmation!.parsed.text ?? '',
    )?.[0];
    expect(confirmLink).toBeDefined();
    const page = await fetch(confirmLink!);
    expect(await page.text()).toContain('<button type="submit">Confirm</button>');
    const confirmed = await fetch(confirmLink!, { method: 'POST' });
    expect(confirmed.status).toBe(200);
    expect(await confirmed.text()).toContain('Subscription confirmed');

    // A matching event reaches both.
    const first = await createEvent('Four ballistic missiles fired at Ukraine');
    const [hook] = await receiver.waitFor((request) => request.body.includes(first.id));
    const verified = new Webhook(secret).verify(hook!.body, signatureHeaders(hook!)) as {
      type: string;
      data: { event: { id: string; date: string; sources: unknown[] } };
    };
    expect(verified).toMatchObject({
      type: 'event.created',
      data: {
        event: { id: first.id, date: '2024-06-15~', sources: [ICARO] },
        readable: { date: 'mid-June 2024', precision: 'an approximate day' },
      },
    });
    const [alert] = await sink.waitFor(isAlertFor(first.id));
    expect(alert!.parsed.text).toContain('an approximate day, written 2024-06-15~');
    expect(alert!.parsed.text).toContain(`/v1/events/${first.id}`);
    expect(alert!.parsed.html).toContain(ICARO.title);

    // One-click unsubscribe, as a mailbox provider does it.
    expect(headerLine(alert!.parsed, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    const unsubscribeUrl = headerLine(alert!.parsed, 'List-Unsubscribe')!.slice(1, -1);
    const unsubscribed = await fetch(unsubscribeUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(unsubscribed.status).toBe(200);
    const state = await api(`/v1/subscriptions/${emailId}`, { key: runtime!.adminKey });
    expect(await state.json()).toMatchObject({ status: 'unsubscribed' });

    // Another matching event: the webhook gets it (the barrier); the unsubscribed address gets nothing.
    const second = await createEvent('More ballistic missiles fired at Ukraine');
    await receiver.waitFor((request) => request.body.includes(second.id));
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(sink.mails.filter(isAlertFor(second.id))).toEqual([]);
    expect(sink.to(READER)).toHaveLength(2);
    const log = await api(`/v1/subscriptions/${emailId}/deliveries`, { key: runtime!.adminKey });
    const { items } = (await log.json()) as { items: { eventId?: string }[] };
    expect(items.map((delivery) => delivery.eventId)).not.toContain(second.id);
  });
});
