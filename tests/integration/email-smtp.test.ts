import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderAlertEmail } from '../../shared/delivery/email/render.ts';
import { createSmtpTransport, type MailTransport } from '../../shared/delivery/email/transport.ts';
import type { AlertEmailInput } from '../../shared/delivery/email/types.ts';

const FROM = 'Dateline <alerts@dateline.example>';
const TO = 'reader@example.net';
const REFUSED = 'gone@example.net';

const alert: AlertEmailInput = {
  type: 'event.created',
  event: {
    id: 'evt_1',
    kind: 'treaty',
    title: 'Accord signé à Genève',
    summary: 'Both parties sign a ceasefire accord.',
    date: '2024-06-15~',
    earliest: '2024-06-08',
    latest: '2024-06-22',
    precision: 'day',
    location: { name: 'Geneva', country: 'CH' },
    actors: [{ type: 'state', code: 'CHE' }],
    tags: ['ceasefire'],
    sources: [
      {
        url: 'https://news.example.org/accord',
        title: 'Accord signed',
        publisher: 'Example News',
        publishedAt: '2024-06-16T10:00:00Z',
      },
      {
        url: 'https://wire.example.com/a/9?lang=fr',
        title: 'Signature à Genève',
        publisher: 'Example Wire',
        publishedAt: '2024-06-16',
      },
    ],
  },
  eventUrl: 'https://dateline.example/events/evt_1',
  unsubscribeUrl: 'https://dateline.example/unsubscribe/tok_1',
};

interface Received {
  raw: Buffer;
  envelope: SMTPServerSession['envelope'];
}

describe('SMTP transport against a real SMTP server', () => {
  const received: Received[] = [];
  let server: SMTPServer;
  let transport: MailTransport;
  let sentMessageId: string;
  let parsed: ParsedMail;

  beforeAll(async () => {
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onRcptTo(address, _session, callback) {
        if (address.address === REFUSED) {
          callback(Object.assign(new Error('No such mailbox'), { responseCode: 550 }));
          return;
        }
        callback();
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          received.push({ raw: Buffer.concat(chunks), envelope: session.envelope });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const { port } = server.server.address() as AddressInfo;
    transport = createSmtpTransport(`smtp://127.0.0.1:${port}`);

    ({ messageId: sentMessageId } = await transport.send({ ...renderAlertEmail(TO, alert), from: FROM }));
    const first = received[0];
    if (!first) throw new Error('the SMTP server received nothing');
    parsed = await simpleParser(first.raw);
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('delivers to the recipient, from the sender, with the Message-ID it reports', () => {
    expect(received[0]?.envelope.mailFrom).toMatchObject({ address: 'alerts@dateline.example' });
    expect(received[0]?.envelope.rcptTo.map((r) => r.address)).toEqual([TO]);
    expect(parsed.messageId).toBe(sentMessageId);
  });

  it('keeps a non-ASCII subject intact', () => {
    expect(parsed.subject).toBe('[Dateline] New: Accord signé à Genève (mid-June 2024, approximate)');
  });

  it('carries both a text and an HTML part', () => {
    expect(parsed.text).toContain('Both parties sign a ceasefire accord.');
    expect(parsed.html).toContain('<h1');
    expect(parsed.html).toContain('Accord signé à Genève');
  });

  it('carries the one-click List-Unsubscribe headers', () => {
    const line = (key: string) => parsed.headerLines.find((h) => h.key === key)?.line;
    expect(line('list-unsubscribe')).toBe('List-Unsubscribe: <https://dateline.example/unsubscribe/tok_1>');
    expect(line('list-unsubscribe-post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
  });

  it('links every source in the HTML part', () => {
    expect(parsed.html).toContain('<a href="https://news.example.org/accord">Accord signed</a>');
    expect(parsed.html).toContain('<a href="https://wire.example.com/a/9?lang=fr">Signature à Genève</a>');
  });

  it('shows the date as written, its reading and its precision in both parts', () => {
    for (const part of [parsed.text, parsed.html]) {
      expect(part).toContain('mid-June 2024');
      expect(part).toContain('an approximate day, written 2024-06-15~');
    }
  });

  it('rejects when the server refuses the recipient', async () => {
    const mail = { ...renderAlertEmail(REFUSED, alert), from: FROM };
    await expect(transport.send(mail)).rejects.toMatchObject({ responseCode: 550 });
  });
});
