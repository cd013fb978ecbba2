import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AlertStack,
  alertEventInput,
  bearer,
  confirmThroughPage,
  json,
  linkIn,
  localPath,
  startAlertStack,
} from '../support/alert-stack.ts';
import { headerLine, type SmtpSink, type SunkMail, startSmtpSink } from '../support/smtp-sink.ts';

let stack: AlertStack;
let sink: SmtpSink;

beforeAll(async () => {
  sink = await startSmtpSink();
  stack = await startAlertStack({ smtpUrl: sink.url });
});
afterAll(async () => {
  await Promise.all([stack?.close(), sink?.close()]);
});

const call = (path: string, init?: RequestInit) => stack.app.request(path, init);
const isConfirmation = (mail: SunkMail) =>
  mail.parsed.subject === '[Dateline] Confirm your alert subscription';
const isAlert = (mail: SunkMail) => mail.parsed.subject?.startsWith('[Dateline] New:') ?? false;

async function subscribe(address: string, tag: string): Promise<string> {
  const response = await call(
    '/v1/subscriptions',
    json('POST', { channel: 'email', address, filter: { tags: [tag] } }),
  );
  expect(response.status).toBe(202);
  return ((await response.json()) as { id: string }).id;
}

async function status(id: string): Promise<string> {
  const response = await call(`/v1/subscriptions/${id}`, { headers: bearer(stack.adminKey) });
  return ((await response.json()) as { status: string }).status;
}

/** Subscribes, follows the link of the confirmation mail, and returns the subscription id. */
async function confirmedSubscriber(address: string, tag: string): Promise<string> {
  const id = await subscribe(address, tag);
  await stack.settle();
  const [confirmation] = sink.to(address).filter(isConfirmation);
  const page = await confirmThroughPage(
    call,
    linkIn(confirmation!.parsed.text ?? '', '/v1/subscriptions/confirm'),
  );
  expect(page.status).toBe(200);
  return id;
}

/** Creates a matching event and returns the alert mail it produced. */
async function alertFor(address: string, tag: string) {
  const { event } = await stack.events.create(alertEventInput({ tags: [tag] }));
  await stack.settle();
  const [mail] = await sink.waitFor((m) => m.to.includes(address) && isAlert(m));
  return { event, mail: mail!.parsed };
}

describe('email confirmation', () => {
  it('arrives by SMTP with a link that activates the subscription', async () => {
    const id = await subscribe('confirm@example.net', 'mail-confirm');
    await stack.settle();

    const mails = sink.to('confirm@example.net');
    expect(mails).toHaveLength(1);
    expect(mails[0]!.parsed.text).toContain('tag mail-confirm');
    expect(await status(id)).toBe('pending');
    const link = linkIn(mails[0]!.parsed.text ?? '', '/v1/subscriptions/confirm');
    expect(mails[0]!.parsed.html).toContain(link.replaceAll('&', '&amp;'));

    const page = await confirmThroughPage(call, link);

    expect(page.status).toBe(200);
    expect(await status(id)).toBe('active');
  });
});

describe('an alert mail', () => {
  it('has a text part and an HTML part with the date as written and the event link', async () => {
    await confirmedSubscriber('parts@example.net', 'mail-parts');

    const { event, mail } = await alertFor('parts@example.net', 'mail-parts');

    expect(mail.subject).toContain(event.title);
    for (const part of [mail.text ?? '', mail.html || '']) {
      expect(part).toContain('2024-06-15~');
      expect(part).toContain(`http://dateline.test/events/${event.id}`);
    }
    expect(mail.text).toContain('When: mid-June 2024\n      an approximate day, written 2024-06-15~');
    expect(mail.text).toContain(`As JSON: http://dateline.test/v1/events/${event.id}`);
  });

  it('speaks people: countries by name with their codes, the kind in words', async () => {
    await confirmedSubscriber('words@example.net', 'mail-words');

    const { mail } = await alertFor('words@example.net', 'mail-words');

    for (const part of [mail.text ?? '', mail.html || '']) {
      expect(part).toContain('Russia (RU); North Korea (KP)');
      expect(part).toContain('Kharkiv, Ukraine (UA)');
      expect(part).toContain('Missile launch');
    }
  });

  it('names the event sources with their links', async () => {
    await confirmedSubscriber('sources@example.net', 'mail-sources');

    const { event, mail } = await alertFor('sources@example.net', 'mail-sources');

    const [source] = event.sources;
    expect(mail.text).toContain(`${source!.title} — ICARO Media Group`);
    expect(mail.text).toContain(source!.url);
    expect(mail.html).toContain(`<a href="${source!.url}">${source!.title}</a>`);
  });

  it('carries List-Unsubscribe and List-Unsubscribe-Post for one-click unsubscribe', async () => {
    await confirmedSubscriber('headers@example.net', 'mail-headers');

    const { mail } = await alertFor('headers@example.net', 'mail-headers');

    expect(headerLine(mail, 'List-Unsubscribe')).toMatch(
      /^<http:\/\/dateline\.test\/v1\/unsubscribe\?token=[^>]+>$/,
    );
    expect(headerLine(mail, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
  });
});

describe('the List-Unsubscribe URL', () => {
  const unsubscribeUrl = (mail: Awaited<ReturnType<typeof alertFor>>['mail']) =>
    headerLine(mail, 'List-Unsubscribe')!.slice(1, -1);

  it('unsubscribes on a one-click POST and sends no further alerts', async () => {
    const id = await confirmedSubscriber('oneclick@example.net', 'mail-oneclick');
    const { mail } = await alertFor('oneclick@example.net', 'mail-oneclick');

    const response = await call(localPath(unsubscribeUrl(mail)), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });

    expect(response.status).toBe(200);
    expect(await response.text()).toContain('Unsubscribed');
    expect(await status(id)).toBe('unsubscribed');
    await stack.events.create(alertEventInput({ tags: ['mail-oneclick'] }));
    await stack.settle();
    expect(sink.to('oneclick@example.net').filter(isAlert)).toHaveLength(1);
  });

  it('answers a GET with a page holding an unsubscribe button, and unsubscribes no one', async () => {
    const id = await confirmedSubscriber('scanner@example.net', 'mail-scanner');
    const { mail } = await alertFor('scanner@example.net', 'mail-scanner');

    const response = await call(localPath(unsubscribeUrl(mail)));

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const page = await response.text();
    expect(page).toMatch(/<form method="post"[^>]*>/);
    expect(page).toMatch(/<button type="submit">Unsubscribe<\/button>/);
    expect(await status(id)).toBe('active');
  });

  it('answers a forged token with a not-found page', async () => {
    const response = await call('/v1/unsubscribe?token=dW5zdWJzY3JpYmUuWC4w.forged', { method: 'POST' });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
  });
});
