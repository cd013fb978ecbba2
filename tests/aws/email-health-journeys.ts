/**
 * Email health on AWS, as a subscriber's mailbox provider drives it: an alert is sent through SES
 * (moto), SES's events for that very message (its MessageId and message tags as the delivery
 * function sent them) are published to the configuration set's topic, and the mail-events
 * function, fed by the topic's queue, changes the subscription. moto publishes no SES events, so
 * the test publishes them, in AWS's documented shape; everything after that is the stack's own.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { eventInput, state } from '../fixtures/events.ts';
import { bounceRecord, complaintRecord, deliveryRecord, type SentMessage } from '../fixtures/ses-events.ts';
import { type AwsDeployment, deployOnMoto, type HandlerSource, PUBLIC_URL } from './aws-harness.ts';

export function defineEmailHealthJourneys(source: HandlerSource): void {
  let aws: AwsDeployment;
  let writer: string;
  let admin: string;

  beforeAll(async () => {
    aws = await deployOnMoto(inject('motoEndpoint'), source);
    writer = await aws.key(['events:write']);
    admin = await aws.key(['admin']);
  });
  afterAll(async () => {
    await aws?.close();
  });

  const api = (path: string, request?: Parameters<AwsDeployment['lambda']['api']>[1]) =>
    aws.lambda.api(path, request);
  const auth = (key: string) => ({ authorization: `Bearer ${key}` });
  const subscription = async (id: string) =>
    (await api(`/v1/subscriptions/${id}`, { headers: auth(admin) })).json<Record<string, unknown>>();

  async function createEvent(tag: string): Promise<void> {
    const response = await api('/v1/events', {
      method: 'POST',
      headers: auth(writer),
      body: eventInput({ tags: [tag], actors: [state('RU'), state('KP')] }),
    });
    expect(response.status).toBe(201);
    await aws.lambda.settle();
  }

  /** Subscribes the address and follows the link in the confirmation mail SES sent. */
  async function confirmedSubscriber(address: string, tag: string): Promise<string> {
    const subscribed = await api('/v1/subscriptions', {
      method: 'POST',
      body: { channel: 'email', address, filter: { tags: [tag] } },
    });
    expect(subscribed.status).toBe(202);
    const { id } = subscribed.json<{ id: string }>();
    await aws.lambda.settle();
    const [confirmation] = await aws.mailsTo(address);
    const link = confirmation!.text?.match(/https:\/\/\S+\/v1\/subscriptions\/confirm\?token=\S+/)?.[0];
    const path = link!.slice(PUBLIC_URL.length);
    await api(path);
    // The page may ask for a button press (a POST) before it confirms.
    if ((await subscription(id)).status !== 'active') await api(path, { method: 'POST' });
    expect((await subscription(id)).status).toBe('active');
    return id;
  }

  /** The alert SES accepted for the address, as SES events name it. */
  function lastAlertTo(address: string): SentMessage {
    const send = aws.sesSendsTo(address).at(-1)!;
    expect(send.tags.mail).toBe('alert');
    return { messageId: send.messageId, to: address, tags: send.tags };
  }

  describe(`email health on SES (${source})`, () => {
    it('a permanent bounce disables the subscription with its reason; the next event sends nothing', async () => {
      const address = `bounce-${source}@example.net`;
      const tag = `aws-bounce-${source}`;
      const id = await confirmedSubscriber(address, tag);
      await createEvent(tag);

      const alert = aws.sesSendsTo(address).at(-1)!;
      // Sent in the stack's configuration set, tagged with what the events must find again.
      expect(alert.configurationSet).toBe(aws.stack.environments.deliver.MAIL_CONFIGURATION_SET);
      expect(alert.tags).toMatchObject({ subscription: id, mail: 'alert' });
      // SES only accepted it: nothing is known of its delivery yet.
      expect(await subscription(id)).not.toHaveProperty('lastDeliveryAt');

      const sent = lastAlertTo(address);
      const deliveredAt = new Date().toISOString();
      await aws.publishSesEvent(deliveryRecord(sent, deliveredAt));
      await aws.lambda.settle();
      expect(await subscription(id)).toMatchObject({ status: 'active', lastDeliveryAt: deliveredAt });

      await aws.publishSesEvent(bounceRecord(sent));
      await aws.lambda.settle();
      expect(await subscription(id)).toMatchObject({
        status: 'disabled',
        statusReason: 'the address bounced permanently: 550 5.1.1 user unknown',
        lastDeliveryAt: deliveredAt,
      });

      const sends = aws.sesSendsTo(address).length;
      const mails = (await aws.mailsTo(address)).length;
      await createEvent(tag);
      expect(aws.sesSendsTo(address)).toHaveLength(sends);
      expect(await aws.mailsTo(address)).toHaveLength(mails);
    });

    it('a complaint disables the subscription at once', async () => {
      const address = `complaint-${source}@example.net`;
      const tag = `aws-complaint-${source}`;
      const id = await confirmedSubscriber(address, tag);
      await createEvent(tag);

      await aws.publishSesEvent(complaintRecord(lastAlertTo(address)));
      await aws.lambda.settle();

      expect(await subscription(id)).toMatchObject({
        status: 'disabled',
        statusReason: 'the recipient marked an alert as spam',
      });
    });

    it('a transient bounce marks the subscription failing but keeps it active', async () => {
      const address = `transient-${source}@example.net`;
      const tag = `aws-transient-${source}`;
      const id = await confirmedSubscriber(address, tag);
      await createEvent(tag);
      const bouncedAt = new Date().toISOString();

      await aws.publishSesEvent(
        bounceRecord(lastAlertTo(address), {
          bounceType: 'Transient',
          bounceSubType: 'MailboxFull',
          timestamp: bouncedAt,
        }),
      );
      await aws.lambda.settle();

      expect(await subscription(id)).toMatchObject({ status: 'active', failingSince: bouncedAt });
    });
  });
}
