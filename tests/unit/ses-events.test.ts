import { describe, expect, it } from 'vitest';
import { concernsAddress, readSesEvent } from '../../shared/delivery/email/ses-events.ts';
import {
  bounceRecord,
  complaintRecord,
  deliveryRecord,
  eventBridgeEvent,
  rejectRecord,
  type SentMessage,
  snsEnvelope,
} from '../fixtures/ses-events.ts';

const NOW = new Date('2024-06-29T00:00:00.000Z');
const sent: SentMessage = {
  messageId: '0100019052a0f3b1-6c7d8e9f-0a1b-4c2d-9e3f-4a5b6c7d8e9f-000000',
  to: 'reader@example.net',
  tags: { subscription: '01J1AB2CD3EF4GH5JK6MN7PQ8R', delivery: '01J1AB2CD3EF4GH5JK6MN7PQ9S', mail: 'alert' },
};

describe('readSesEvent', () => {
  it('reads the subscription, delivery and mail from the message tags', () => {
    expect(readSesEvent(bounceRecord(sent), NOW)).toMatchObject({
      type: 'Bounce',
      messageId: sent.messageId,
      subscriptionId: '01J1AB2CD3EF4GH5JK6MN7PQ8R',
      deliveryId: '01J1AB2CD3EF4GH5JK6MN7PQ9S',
      mail: 'alert',
      recipients: ['reader@example.net'],
    });
  });

  it('reads a permanent bounce as a refusal with what the server said', () => {
    expect(readSesEvent(bounceRecord(sent), NOW)?.signal).toEqual({
      kind: 'refused',
      reason: 'the address bounced permanently: 550 5.1.1 user unknown',
    });
  });

  it('names the suppression list when SES suppressed the send', () => {
    const suppressed = bounceRecord(sent, { bounceSubType: 'OnAccountSuppressionList' });
    delete (suppressed.bounce.bouncedRecipients[0] as { diagnosticCode?: string }).diagnosticCode;
    delete (suppressed.bounce.bouncedRecipients[0] as { status?: string }).status;
    expect(readSesEvent(suppressed, NOW)?.signal).toEqual({
      kind: 'refused',
      reason: "the address bounced permanently: the address is on this account's SES suppression list",
    });
  });

  it('reads a transient bounce as a failure at the bounce time, not a refusal', () => {
    const signal = readSesEvent(
      bounceRecord(sent, { bounceType: 'Transient', bounceSubType: 'MailboxFull' }),
      NOW,
    )?.signal;
    expect(signal).toEqual({
      kind: 'failed',
      at: new Date('2024-06-28T22:46:02.669Z'),
      detail: 'a transient bounce (MailboxFull): 452 4.2.2 mailbox full',
    });
  });

  it('reads an undetermined bounce as a failure too', () => {
    const signal = readSesEvent(bounceRecord(sent, { bounceType: 'Undetermined' }), NOW)?.signal;
    expect(signal?.kind).toBe('failed');
  });

  it('reads a complaint as a refusal: the recipient marked an alert as spam', () => {
    expect(readSesEvent(complaintRecord(sent), NOW)?.signal).toEqual({
      kind: 'refused',
      reason: 'the recipient marked an alert as spam',
    });
  });

  it('says which mail was marked as spam when it was the confirmation', () => {
    const confirmation = { ...sent, tags: { ...sent.tags, mail: 'confirmation' } };
    expect(readSesEvent(complaintRecord(confirmation), NOW)?.signal).toMatchObject({
      reason: 'the recipient marked the confirmation mail as spam',
    });
  });

  it('takes a "not spam" report for what it is: no complaint', () => {
    expect(readSesEvent(complaintRecord(sent, 'not-spam'), NOW)?.signal).toBeUndefined();
  });

  it('reads a delivery as delivered at the time the recipient server took it', () => {
    expect(readSesEvent(deliveryRecord(sent), NOW)?.signal).toEqual({
      kind: 'delivered',
      at: new Date('2024-06-28T22:45:04.133Z'),
    });
  });

  it('gives a reject (a virus in our own mail) no meaning for the subscriber', () => {
    const event = readSesEvent(rejectRecord(sent), NOW);
    expect(event).toMatchObject({ type: 'Reject', note: 'rejected by SES: Bad content' });
    expect(event?.signal).toBeUndefined();
  });

  it('reads the same event inside an SNS notification envelope, or as an EventBridge detail', () => {
    const bare = readSesEvent(bounceRecord(sent), NOW);
    expect(readSesEvent(JSON.stringify(snsEnvelope(bounceRecord(sent))), NOW)).toEqual(bare);
    expect(readSesEvent(JSON.stringify(eventBridgeEvent(bounceRecord(sent))), NOW)).toEqual(bare);
    expect(readSesEvent(JSON.stringify(bounceRecord(sent)), NOW)).toEqual(bare);
  });

  it('reads an identity feedback notification (notificationType) as well', () => {
    const { eventType: _type, ...rest } = bounceRecord(sent);
    expect(readSesEvent({ notificationType: 'Bounce', ...rest }, NOW)?.signal?.kind).toBe('refused');
  });

  it('has no subscription for a mail sent without the tag', () => {
    expect(readSesEvent(bounceRecord({ ...sent, tags: {} }), NOW)?.subscriptionId).toBeUndefined();
  });

  it.each([
    ['not JSON', '{"eventType": "Bounce"'],
    ['JSON without a mail', JSON.stringify({ eventType: 'Bounce', bounce: {} })],
    ['an SNS subscription confirmation', JSON.stringify({ Type: 'SubscriptionConfirmation', Message: 'hi' })],
    ['a number', '42'],
  ])('refuses %s', (_name, body) => {
    expect(readSesEvent(body, NOW)).toBeUndefined();
  });
});

describe('concernsAddress', () => {
  const event = readSesEvent(bounceRecord({ ...sent, to: 'Reader@Example.NET' }), NOW)!;

  it('matches the recipient without regard to case', () => {
    expect(concernsAddress(event, 'reader@example.net')).toBe(true);
  });

  it('does not match another address', () => {
    expect(concernsAddress(event, 'someone@example.net')).toBe(false);
    expect(concernsAddress(event, undefined)).toBe(false);
  });

  it('reads a recipient written with a display name', () => {
    const named = readSesEvent(deliveryRecord({ ...sent, to: 'Reader <reader@example.net>' }), NOW)!;
    expect(concernsAddress(named, 'reader@example.net')).toBe(true);
  });
});
