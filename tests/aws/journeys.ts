/**
 * The journeys a user of the deployed service relies on, run on moto through the four handlers
 * as Lambda drives them. Defined once; run against the TypeScript sources and the Lambda bundles.
 */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { AlertPayload } from '../../shared/domain/delivery.ts';
import { type DigestPayload, periodOf } from '../../shared/domain/digest.ts';
import { eventInput, state } from '../fixtures/events.ts';
import { headerLine } from '../support/smtp-sink.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';
import { type AwsDeployment, deployOnMoto, type HandlerSource, PUBLIC_URL } from './aws-harness.ts';

export function defineJourneys(source: HandlerSource): void {
  let aws: AwsDeployment;
  let receiver: WebhookReceiver;
  let writer: string;
  let admin: string;

  beforeAll(async () => {
    aws = await deployOnMoto(inject('motoEndpoint'), source);
    receiver = await startWebhookReceiver(`aws-${source}`);
    writer = await aws.key(['events:write', 'subscriptions:write']);
    admin = await aws.key(['admin']);
  });
  afterAll(async () => {
    await Promise.all([receiver?.close(), aws?.close()]);
  });

  const auth = (key: string) => ({ authorization: `Bearer ${key}` });
  const api = (path: string, request?: Parameters<AwsDeployment['lambda']['api']>[1]) =>
    aws.lambda.api(path, request);

  async function createEvent(tag: string) {
    const response = await api('/v1/events', {
      method: 'POST',
      headers: auth(writer),
      body: eventInput({ tags: [tag], actors: [state('RU'), state('KP')] }),
    });
    expect(response.status).toBe(201);
    return { id: response.json<{ id: string }>().id, etag: response.headers.etag! };
  }

  async function webhookSubscription(
    tag: string,
    types = ['event.created'],
    extra: Record<string, unknown> = {},
  ) {
    const response = await api('/v1/subscriptions', {
      method: 'POST',
      headers: auth(writer),
      body: { channel: 'webhook', url: `${receiver.url}/${tag}`, filter: { tags: [tag] }, types, ...extra },
    });
    expect(response.status).toBe(201);
    return response.json<{ id: string; secret: string; token: string }>();
  }

  const hooksFor = (tag: string) => receiver.received.filter((request) => request.path.endsWith(`/${tag}`));

  async function subscriptionStatus(id: string): Promise<string> {
    const response = await api(`/v1/subscriptions/${id}`, { headers: auth(admin) });
    return response.json<{ status: string }>().status;
  }

  describe(`email on SES (${source})`, () => {
    it('confirms by the mailed link, then mails created, updated (with what changed) and deleted', async () => {
      const address = `reader-${source}@example.net`;
      const tag = `aws-mail-${source}`;
      const subscribed = await api('/v1/subscriptions', {
        method: 'POST',
        body: {
          channel: 'email',
          address,
          filter: { tags: [tag] },
          types: ['event.created', 'event.updated', 'event.deleted'],
        },
      });
      expect(subscribed.status).toBe(202);
      const { id } = subscribed.json<{ id: string }>();
      await aws.lambda.settle();

      const [confirmation, ...others] = await aws.mailsTo(address);
      expect(others).toHaveLength(0);
      expect(confirmation!.subject).toBe('[Dateline] Confirm your alert subscription');
      const link = confirmation!.text?.match(/https:\/\/\S+\/v1\/subscriptions\/confirm\?token=\S+/)?.[0];
      expect(link?.startsWith(PUBLIC_URL)).toBe(true);
      // The link opens a page and confirms nothing (mail scanners follow links); its button POSTs.
      const page = await api(link!.slice(PUBLIC_URL.length));
      expect(page.status).toBe(200);
      expect(await subscriptionStatus(id)).toBe('pending');
      const confirmed = await api(link!.slice(PUBLIC_URL.length), { method: 'POST' });
      expect(confirmed.status).toBe(200);
      expect(await subscriptionStatus(id)).toBe('active');

      const event = await createEvent(tag);
      await aws.lambda.settle();
      const updated = await api(`/v1/events/${event.id}`, {
        method: 'PATCH',
        headers: { ...auth(writer), 'if-match': event.etag, 'content-type': 'application/merge-patch+json' },
        body: { title: 'Ballistic missiles launched toward Kharkiv' },
      });
      expect(updated.status).toBe(200);
      await aws.lambda.settle();
      const deleted = await api(`/v1/events/${event.id}`, { method: 'DELETE', headers: auth(writer) });
      expect(deleted.status).toBe(204);
      await aws.lambda.settle();

      const mails = (await aws.mailsTo(address)).slice(1);
      expect(mails.map((mail) => mail.subject?.split(':')[0])).toEqual([
        '[Dateline] New',
        '[Dateline] Updated',
        '[Dateline] Deleted',
      ]);
      // The update mail shows what changed: the earlier title beside the new one.
      expect(mails[1]!.text).toContain('Ballistic missile launched toward Ukraine');
      expect(mails[1]!.text).toContain('Ballistic missiles launched toward Kharkiv');
      for (const mail of mails) {
        expect(headerLine(mail, 'list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
        expect(mail.html).toBeTruthy();
      }
    });
  });

  describe(`pages (${source})`, () => {
    const browser = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

    it('serves the timeline page, an event page and the stylesheet from the api function', async () => {
      const event = await createEvent('aws-page');
      const timeline = await api('/?tag=aws-page', { headers: browser });
      expect(timeline.status).toBe(200);
      expect(timeline.headers['content-type']).toBe('text/html; charset=UTF-8');
      expect(timeline.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(timeline.body).toContain(`<a href="/events/${event.id}">`);

      const page = await api(`/events/${event.id}`, { headers: browser });
      expect(page.status).toBe(200);
      expect(page.body).toContain('<h1 id="event-title">');

      const href = /<link rel="stylesheet" href="([^"]+)">/.exec(timeline.body)?.[1];
      const stylesheet = await api(href!);
      expect(stylesheet.status).toBe(200);
      expect(stylesheet.headers['content-type']).toBe('text/css; charset=utf-8');
    });

    it('answers a browser with an HTML error page and an API client with problem+json', async () => {
      const page = await api('/v1/events?limit=0', { headers: browser });
      expect(page.status).toBe(400);
      expect(page.headers['content-type']).toBe('text/html; charset=UTF-8');
      const problem = await api('/v1/events?limit=0');
      expect(problem.status).toBe(400);
      expect(problem.headers['content-type']).toBe('application/problem+json');
    });
  });

  describe(`webhooks (${source})`, () => {
    it('delivers a created event signed by Standard Webhooks', async () => {
      const tag = `aws-hook-${source}`;
      const subscription = await webhookSubscription(tag);
      const event = await createEvent(tag);
      await aws.lambda.settle();

      const [hook, ...more] = hooksFor(tag);
      expect(more).toHaveLength(0);
      const payload = new Webhook(subscription.secret).verify(hook!.body, hook!.headers) as {
        type: string;
        data: { event: { id: string } };
      };
      expect(payload.type).toBe('event.created');
      expect(payload.data.event.id).toBe(event.id);
    });

    it('retries a 503 through a delayed queue message and delivers once, under the same webhook-id', async () => {
      const tag = `aws-retry-${source}`;
      await webhookSubscription(tag);
      receiver.answer(503);
      await createEvent(tag);
      await aws.lambda.settleUntil(() => hooksFor(tag).length >= 1);
      receiver.answer(200);
      await aws.lambda.settleUntil(() => hooksFor(tag).length >= 2);
      await aws.lambda.settle();

      const hooks = hooksFor(tag);
      expect(hooks).toHaveLength(2);
      expect(new Set(hooks.map((hook) => hook.headers['webhook-id'])).size).toBe(1);
    });

    it('disables the subscription when the receiver answers 410 Gone', async () => {
      const tag = `aws-gone-${source}`;
      const subscription = await webhookSubscription(tag);
      receiver.answer(410);
      await createEvent(tag);
      await aws.lambda.settle();
      receiver.answer(200);

      expect(hooksFor(tag)).toHaveLength(1);
      expect(await subscriptionStatus(subscription.id)).toBe('disabled');
    });

    it('sends no second alert when a stream batch is handed over again', async () => {
      const tag = `aws-replay-${source}`;
      await webhookSubscription(tag);
      const event = await createEvent(tag);
      const before = aws.lambda.streamBatches.length;
      await aws.lambda.settle();
      const batch = aws.lambda.streamBatches
        .slice(before)
        .find((candidate) =>
          candidate.Records.some((record) => record.dynamodb?.Keys?.pk?.S === `EVENT#${event.id}`),
        );
      expect(batch).toBeDefined();

      expect(await aws.lambda.replayStreamBatch(batch!)).toEqual({ batchItemFailures: [] });
      await aws.lambda.settle();

      expect(hooksFor(tag)).toHaveLength(1);
    });

    it('finds a change whose stream batch never reached fan-out on the next sweep', async () => {
      const tag = `aws-sweep-${source}`;
      await webhookSubscription(tag);
      await aws.lambda.settle();
      await createEvent(tag);
      expect(await aws.lambda.pumpStream({ drop: true })).toBeGreaterThan(0);
      await aws.lambda.settle();
      expect(hooksFor(tag)).toHaveLength(0);

      await aws.lambda.sweep();
      await aws.lambda.settle();

      expect(hooksFor(tag)).toHaveLength(1);
    });

    it('sends once when two queue messages for one delivery arrive in one batch', async () => {
      const tag = `aws-twice-${source}`;
      await webhookSubscription(tag);
      await createEvent(tag);
      // Fan-out announces the delivery; a second copy of its message joins it on the queue.
      await aws.lambda.pumpStream();
      const queue = aws.stack.queues.Delivery!;
      const { sqs } = aws.stack.clients;
      const { ReceiveMessageCommand, ChangeMessageVisibilityCommand } = await import('@aws-sdk/client-sqs');
      const peek = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queue.url, MaxNumberOfMessages: 10 }),
      );
      expect(peek.Messages).toHaveLength(1);
      const message = peek.Messages![0]!;
      await sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queue.url,
          ReceiptHandle: message.ReceiptHandle!,
          VisibilityTimeout: 0,
        }),
      );
      await sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: message.Body! }));

      expect(await aws.lambda.pumpQueues()).toBe(2);
      await aws.lambda.settle();

      expect(hooksFor(tag)).toHaveLength(1);
    });
  });

  describe(`digests and replays (${source})`, () => {
    it('sends a daily digest once from the hourly schedule, listing an event once with its changes', async () => {
      const tag = `aws-digest-${source}`;
      const subscription = await webhookSubscription(tag, ['event.created', 'event.updated'], {
        frequency: 'daily',
        digestHour: 7,
      });
      const event = await createEvent(tag);
      const updated = await api(`/v1/events/${event.id}`, {
        method: 'PATCH',
        headers: { ...auth(writer), 'if-match': event.etag, 'content-type': 'application/merge-patch+json' },
        body: { title: 'Missiles fired at Kharkiv' },
      });
      expect(updated.status).toBe(200);
      await aws.lambda.settle();
      expect(hooksFor(tag)).toEqual([]);

      const period = periodOf(new Date(), { frequency: 'daily', hour: 7 });
      await aws.lambda.digest(period.end);
      await aws.lambda.settle();
      // The same hour's schedule delivered again sends nothing new.
      await aws.lambda.digest(period.end);
      await aws.lambda.settle();

      const [hook, ...more] = hooksFor(tag);
      expect(more).toEqual([]);
      const payload = new Webhook(subscription.secret).verify(hook!.body, hook!.headers) as DigestPayload;
      expect(payload).toMatchObject({ type: 'event.digest', data: { period, omitted: 0 } });
      expect(payload.data.items).toHaveLength(1);
      expect(payload.data.items[0]).toMatchObject({
        status: 'created',
        event: { id: event.id, title: 'Missiles fired at Kharkiv' },
      });
      expect(payload.data.items[0]!.changes.map((change) => change.type)).toEqual([
        'event.created',
        'event.updated',
      ]);
    });

    it('replays past events by their own date to an existing subscription, marked replay: true', async () => {
      const tag = `aws-replay-by-date-${source}`;
      const first = await createEvent(tag);
      const second = await createEvent(tag);
      await aws.lambda.settle();
      const subscription = await webhookSubscription(tag);

      const replay = await api(`/v1/subscriptions/${subscription.id}/replay`, {
        method: 'POST',
        headers: auth(subscription.token),
        body: { from: '2024-06', to: '2024-06' },
      });
      expect(replay.status).toBe(202);
      await aws.lambda.settle();

      const { id, events } = replay.json<{ id: string; events: number }>();
      expect(events).toBe(2);
      const payloads = hooksFor(tag).map(
        (hook) => new Webhook(subscription.secret).verify(hook.body, hook.headers) as AlertPayload,
      );
      expect(payloads.map((payload) => payload.data.event?.id).sort()).toEqual([first.id, second.id].sort());
      for (const payload of payloads)
        expect(payload).toMatchObject({ type: 'event.created', data: { replay: true, replayId: id } });
      const again = await api(`/v1/subscriptions/${subscription.id}/replay`, {
        method: 'POST',
        headers: auth(subscription.token),
        body: { from: '2024', to: '2024' },
      });
      expect(again.status).toBe(429);
    });
  });
}
