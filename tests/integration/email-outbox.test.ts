import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renderAlertEmail } from '../../shared/delivery/email/render.ts';
import { createMailTransport, createOutboxTransport } from '../../shared/delivery/email/transport.ts';
import type { AlertEmailInput } from '../../shared/delivery/email/types.ts';

const FROM = 'Dateline <alerts@dateline.example>';

const alert: AlertEmailInput = {
  type: 'event.updated',
  event: {
    id: 'evt_2',
    kind: 'election',
    title: 'Run-off scheduled',
    summary: 'The electoral commission sets the run-off date.',
    date: '2024-01',
    earliest: '2024-01-01',
    latest: '2024-01-31',
    precision: 'month',
    actors: [],
    tags: [],
    sources: [
      {
        url: 'https://news.example.org/runoff',
        title: 'Run-off',
        publisher: 'Example News',
        publishedAt: '2023-12-20',
      },
    ],
  },
  previous: { date: '2024', earliest: '2024-01-01', latest: '2024-12-31', precision: 'year' },
  eventUrl: 'https://dateline.example/events/evt_2',
  unsubscribeUrl: 'https://dateline.example/unsubscribe/tok_2',
};

function mailTo(to: string) {
  return { ...renderAlertEmail(to, alert), from: FROM };
}

describe('outbox transport', () => {
  let dir: string;

  beforeEach(async () => {
    dir = join(await mkdtemp(join(tmpdir(), 'dateline-outbox-')), 'outbox');
  });

  afterEach(async () => {
    await rm(join(dir, '..'), { recursive: true, force: true });
  });

  it('writes one .eml file, creating the folder, and leaves no temporary file behind', async () => {
    await createOutboxTransport(dir).send(mailTo('reader@example.net'));
    const files = await readdir(dir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^\d{8}T\d{9}Z-[0-9A-Z]{26}\.eml$/);
  });

  it('writes a message that parses, with both parts and the unsubscribe headers', async () => {
    const { messageId } = await createOutboxTransport(dir).send(mailTo('reader@example.net'));
    const [file] = await readdir(dir);
    const parsed = await simpleParser(await readFile(join(dir, file ?? '')));
    expect(parsed.messageId).toBe(messageId);
    expect(parsed.subject).toBe('[Dateline] Updated: Run-off scheduled (January 2024)');
    expect(parsed.text).toContain('Date: 2024 [2024] → January 2024 [2024-01]');
    expect(parsed.html).toContain('<a href="https://news.example.org/runoff">Run-off</a>');
    expect(parsed.headerLines.map((h) => h.line)).toEqual(
      expect.arrayContaining([
        'List-Unsubscribe: <https://dateline.example/unsubscribe/tok_2>',
        'List-Unsubscribe-Post: List-Unsubscribe=One-Click',
      ]),
    );
  });

  it('names files so that they sort in the order the mails were sent', async () => {
    const transport = createOutboxTransport(dir);
    const recipients = Array.from({ length: 5 }, (_, i) => `reader${i}@example.net`);
    for (const to of recipients) await transport.send(mailTo(to));
    const files = (await readdir(dir)).sort();
    const sentTo = await Promise.all(
      files.map(async (f) => (await simpleParser(await readFile(join(dir, f)))).headers.get('to')),
    );
    expect(sentTo.map((to) => (to as { text: string }).text)).toEqual(recipients);
  });

  it('is what createMailTransport picks when only an outbox folder is configured', async () => {
    await createMailTransport({ outboxDir: dir }).send(mailTo('reader@example.net'));
    expect(await readdir(dir)).toHaveLength(1);
  });
});

describe('createMailTransport', () => {
  it('refuses to start with no transport configured', () => {
    expect(() => createMailTransport({})).toThrow(/No mail transport configured/);
  });
});
