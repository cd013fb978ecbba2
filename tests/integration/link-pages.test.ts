import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../shared/web/layout.ts';
import {
  type AlertStack,
  alertEventInput,
  bearer,
  json,
  linkIn,
  localPath,
  startAlertStack,
} from '../support/alert-stack.ts';

let stack: AlertStack;

beforeAll(async () => {
  stack = await startAlertStack();
});
afterAll(async () => {
  await stack?.close();
});

const call = (path: string, init?: RequestInit) => stack.app.request(path, init);

async function status(id: string): Promise<string> {
  const response = await call(`/v1/subscriptions/${id}`, { headers: bearer(stack.adminKey) });
  return ((await response.json()) as { status: string }).status;
}

/** Subscribes an address through the public endpoint; its id and the path of its confirmation link. */
async function subscribe(
  address: string,
  filter: Record<string, unknown> = { kinds: ['missile-launch'], actors: ['KP'] },
) {
  const response = await call('/v1/subscriptions', json('POST', { channel: 'email', address, filter }));
  expect(response.status).toBe(202);
  const { id } = (await response.json()) as { id: string };
  await stack.settle();
  const [mail] = stack.memoryMail.to(address);
  return { id, mail: mail!, confirm: localPath(linkIn(mail!.text, '/v1/subscriptions/confirm')) };
}

async function htmlPage(response: Response, statusCode = 200): Promise<string> {
  const body = await response.text();
  expect(response.status, body).toBe(statusCode);
  expect(response.headers.get('content-type')).toBe('text/html; charset=UTF-8');
  return body;
}

/** The first alert mail to an address, with its unsubscribe link as a local path. */
async function alertTo(address: string) {
  await stack.events.create(alertEventInput({ kind: 'missile-launch' }));
  await stack.settle();
  const alert = stack.memoryMail.to(address).find((mail) => mail.subject.startsWith('[Dateline] New'))!;
  return localPath(linkIn(alert.text, '/v1/unsubscribe'));
}

describe('the confirmation link', () => {
  it('opens a page naming the address and the filter, with a Confirm button, and confirms nothing', async () => {
    const { id, confirm } = await subscribe('scanned@example.net');

    // A mail security scanner follows the link, maybe twice.
    for (let i = 0; i < 2; i++) {
      const html = await htmlPage(await call(confirm));
      expect(html).toContain('<h1>Confirm your subscription</h1>');
      expect(html).toContain('<strong>scanned@example.net</strong>');
      expect(html).toContain('<strong>kind Missile launch; involving North Korea (KP)</strong>');
      expect(html).toContain(
        `<form method="post" action="${confirm.replaceAll('&', '&amp;')}"><button type="submit">Confirm</button></form>`,
      );
    }
    expect(await status(id)).toBe('pending');
  });

  it('confirms when its button POSTs', async () => {
    const { id, confirm } = await subscribe('pressed@example.net');
    const html = await htmlPage(await call(confirm, { method: 'POST' }));
    expect(html).toContain('<h1>Subscription confirmed</h1>');
    expect(await status(id)).toBe('active');
  });

  it('says an active subscription is confirmed already', async () => {
    const { confirm } = await subscribe('twice@example.net');
    await call(confirm, { method: 'POST' });
    expect(await htmlPage(await call(confirm))).toContain('<h1>Already confirmed</h1>');
    expect(await htmlPage(await call(confirm, { method: 'POST' }))).toContain('<h1>Already confirmed</h1>');
  });

  it('says an unsubscribed subscription was unsubscribed, and does not start it again', async () => {
    const { id, confirm } = await subscribe('gone@example.net');
    await call(confirm, { method: 'POST' });
    await call(await alertTo('gone@example.net'), { method: 'POST' });
    expect(await status(id)).toBe('unsubscribed');

    for (const method of ['GET', 'POST']) {
      const html = await htmlPage(await call(confirm, { method }));
      expect(html).toContain('<h1>This subscription was unsubscribed</h1>');
      expect(html).not.toContain('confirmed');
    }
    expect(await status(id)).toBe('unsubscribed');
  });

  it('answers a forged link with a 404 page, on GET and POST', async () => {
    for (const method of ['GET', 'POST']) {
      const html = await htmlPage(
        await call('/v1/subscriptions/confirm?token=Y29uZmlybS4wMUoxLjA.forged', { method }),
        404,
      );
      expect(html).toContain('<h1>Link not valid</h1>');
    }
  });

  it('sends the page headers, and no Referer from a page whose URL holds a token', async () => {
    const { confirm } = await subscribe('headers@example.net');
    const response = await call(confirm);
    expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('cache-control')).toBe('no-store');
  });
});

describe('the unsubscribe link', () => {
  async function subscriber(address: string) {
    const { id, confirm } = await subscribe(address);
    await call(confirm, { method: 'POST' });
    return { id, unsubscribe: await alertTo(address) };
  }

  it('checks its token before it shows a button: a forged one is a 404 page', async () => {
    const html = await htmlPage(await call('/v1/unsubscribe?token=dW5zdWJzY3JpYmUuWC4w.forged'), 404);
    expect(html).toContain('<h1>Link not valid</h1>');
    expect(html).not.toContain('<button');
  });

  it('names the address and the filter, and unsubscribes no one on GET', async () => {
    const { id, unsubscribe } = await subscriber('reader@example.net');
    const html = await htmlPage(await call(unsubscribe));
    expect(html).toContain('<strong>reader@example.net</strong>');
    expect(html).toContain('<strong>kind Missile launch; involving North Korea (KP)</strong>');
    expect(html).toMatch(/<form method="post" action="\/v1\/unsubscribe\?token=[^"]+">/);
    expect(html).toContain('<button type="submit">Unsubscribe</button>');
    expect(await status(id)).toBe('active');
  });

  it('unsubscribes on the RFC 8058 one-click POST, and then says so on GET', async () => {
    const { id, unsubscribe } = await subscriber('oneclick-page@example.net');
    const response = await call(unsubscribe, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(await htmlPage(response)).toContain('<h1>Unsubscribed</h1>');
    expect(await status(id)).toBe('unsubscribed');
    expect(await htmlPage(await call(unsubscribe))).toContain('<h1>Already unsubscribed</h1>');
  });
});

describe('the confirmation mail of the public subscribe endpoint', () => {
  const hostile = [
    '<a href="https://phish.example/login">Claim your prize</a>',
    'https://phish.example/x?y=1',
    'Call +1 555 0100 or write to prize@phish.example',
    'line one\r\nBcc: victim@example.org',
  ];
  const long = 'x'.repeat(200);

  it('echoes no caller text: markup, URLs, addresses and line breaks are counted, long names cut', async () => {
    const { mail } = await subscribe('target@example.net', {
      kinds: ['missile-launch'],
      actors: ['KP', ...hostile, long],
      tags: [...hostile, long].map((value) => value.slice(0, 50)),
    });
    for (const part of [mail.text, mail.html, mail.subject]) {
      for (const value of hostile) {
        expect(part).not.toContain(value);
        expect(part.toLowerCase()).not.toContain(value.slice(0, 12).toLowerCase().replace(/\s+/g, '-'));
      }
      expect(part).not.toContain('phish.example');
      expect(part).not.toContain('x'.repeat(32));
    }
    const cut = `${'x'.repeat(31)}…`;
    expect(mail.text).toContain(
      `kind missile-launch, and actor KP or ${cut} or ${hostile.length} more, and tag ${cut} or ${hostile.length} more`,
    );
    expect(mail.subject).toBe('[Dateline] Confirm your alert subscription');
  });

  it('shows the same on the page its link opens', async () => {
    const { confirm } = await subscribe('target-page@example.net', { actors: ['KP', ...hostile] });
    const html = await htmlPage(await call(confirm));
    expect(html).toContain(`involving North Korea (KP) or ${hostile.length} more`);
    expect(html).not.toContain('phish.example');
  });
});
