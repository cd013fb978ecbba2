import { SESv2Client, SendEmailCommand, TooManyRequestsException } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { simpleParser } from 'mailparser';
import { beforeEach, describe, expect, it } from 'vitest';
import { isMailThrottling } from '../../shared/alerts/channels.ts';
import { renderAlertEmail } from '../../shared/delivery/email/render.ts';
import { createSesTransport } from '../../shared/delivery/email/transport.ts';
import type { AlertEmailInput } from '../../shared/delivery/email/types.ts';

const TO = 'reader@example.net';
const IDENTITY = 'alerts@dateline.example';

const alert: AlertEmailInput = {
  type: 'event.created',
  event: {
    id: 'evt_3',
    kind: 'sanctions',
    title: 'New sanctions package adopted',
    summary: 'The council adopts a fourteenth package.',
    date: '2024-06-24',
    earliest: '2024-06-24',
    latest: '2024-06-24',
    precision: 'day',
    actors: [{ type: 'organisation', name: 'Council of the EU' }],
    tags: ['sanctions'],
    sources: [
      {
        url: 'https://news.example.org/pkg14',
        title: 'Package 14',
        publisher: 'Example News',
        publishedAt: '2024-06-24',
      },
    ],
  },
  eventUrl: 'https://dateline.example/events/evt_3',
  unsubscribeUrl: 'https://dateline.example/unsubscribe/tok_3',
};

const mail = { ...renderAlertEmail(TO, alert), from: `Dateline <${IDENTITY}>` };

const sesMock = mockClient(SESv2Client);

function newClient() {
  return new SESv2Client({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
}

function rawMessageSent(): Buffer {
  const data = sesMock.commandCalls(SendEmailCommand)[0]?.args[0].input.Content?.Raw?.Data;
  if (!data) throw new Error('no raw message was sent');
  return Buffer.from(data);
}

describe('SES transport', () => {
  beforeEach(() => {
    sesMock.reset();
    sesMock.on(SendEmailCommand).resolves({ MessageId: '0102018f-5a1b-4c2d-9e3f-000000000000-000000' });
  });

  it('sends to the recipient as the configured identity, in the configuration set', async () => {
    const transport = createSesTransport({
      client: newClient(),
      from: IDENTITY,
      configurationSet: 'dateline-alerts',
    });
    await transport.send(mail);
    expect(sesMock).toHaveReceivedCommandWith(SendEmailCommand, {
      FromEmailAddress: IDENTITY,
      Destination: { ToAddresses: [TO] },
      ConfigurationSetName: 'dateline-alerts',
    });
  });

  it('sends raw MIME content that carries the one-click unsubscribe headers', async () => {
    await createSesTransport({ client: newClient(), from: IDENTITY }).send(mail);
    const raw = rawMessageSent().toString('utf8');
    expect(raw).toContain('List-Unsubscribe: <https://dateline.example/unsubscribe/tok_3>');
    expect(raw).toContain('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
  });

  it('sends a message with both a text and an HTML part', async () => {
    await createSesTransport({ client: newClient(), from: IDENTITY }).send(mail);
    const parsed = await simpleParser(rawMessageSent());
    expect(parsed.text).toContain('The council adopts a fourteenth package.');
    expect(parsed.html).toContain('<a href="https://news.example.org/pkg14">Package 14</a>');
  });

  it('leaves out the configuration set when none is configured', async () => {
    await createSesTransport({ client: newClient(), from: IDENTITY }).send(mail);
    expect(sesMock.commandCalls(SendEmailCommand)[0]?.args[0].input).not.toHaveProperty(
      'ConfigurationSetName',
    );
  });

  it('reports the SES MessageId, which SES bounce and complaint notifications refer to', async () => {
    const result = await createSesTransport({ client: newClient(), from: IDENTITY }).send(mail);
    expect(result).toEqual({ messageId: '0102018f-5a1b-4c2d-9e3f-000000000000-000000' });
  });

  it("sends the mail's tags as SES message tags, which come back in its bounce and complaint events", async () => {
    await createSesTransport({ client: newClient(), from: IDENTITY, configurationSet: 'dateline' }).send({
      ...mail,
      tags: { subscription: '01J1AB2CD3EF4GH5JK6MN7PQ8R', mail: 'alert', 'odd name': 'a.b@c' },
    });
    expect(sesMock.commandCalls(SendEmailCommand)[0]?.args[0].input.EmailTags).toEqual([
      { Name: 'subscription', Value: '01J1AB2CD3EF4GH5JK6MN7PQ8R' },
      { Name: 'mail', Value: 'alert' },
      // SES allows letters, digits, _ and - only.
      { Name: 'odd_name', Value: 'a_b_c' },
    ]);
  });

  it('keeps the tags out of the message a recipient reads', async () => {
    await createSesTransport({ client: newClient(), from: IDENTITY }).send({
      ...mail,
      tags: { subscription: '01J1AB2CD3EF4GH5JK6MN7PQ8R' },
    });
    expect(rawMessageSent().toString('utf8')).not.toContain('01J1AB2CD3EF4GH5JK6MN7PQ8R');
  });

  it('says delivery is confirmed by events when it sends in a configuration set', async () => {
    const result = await createSesTransport({
      client: newClient(),
      from: IDENTITY,
      configurationSet: 'dateline',
    }).send(mail);
    expect(result).toEqual({
      messageId: '0102018f-5a1b-4c2d-9e3f-000000000000-000000',
      confirmedByEvents: true,
    });
  });

  it('rejects with the SES throttling error so the delivery layer can retry', async () => {
    const throttled = new TooManyRequestsException({
      message: 'Maximum sending rate exceeded.',
      $metadata: {},
    });
    sesMock.on(SendEmailCommand).rejects(throttled);
    const sending = createSesTransport({ client: newClient(), from: IDENTITY }).send(mail);
    await expect(sending).rejects.toBe(throttled);
    await expect(sending).rejects.toMatchObject({ name: 'TooManyRequestsException' });
    // …which the delivery layer reads as backpressure, not as the recipient's failure.
    expect(isMailThrottling(await sending.catch((error: unknown) => error))).toBe(true);
    expect(isMailThrottling(new Error('Email address is not verified.'))).toBe(false);
  });
});
