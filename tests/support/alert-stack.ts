import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Hono } from 'hono';
import { ulid } from 'ulid';
import { drainChangeFeed } from '../../shared/alerts/change-feed.ts';
import { attemptDelivery, type DeliverDeps } from '../../shared/alerts/deliver.ts';
import type { DeliveryQueue, FanoutDeps } from '../../shared/alerts/fanout.ts';
import { ReplayService } from '../../shared/alerts/replay.ts';
import { SubscriptionService } from '../../shared/alerts/subscription-service.ts';
import { ApiKeyStore, type Scope } from '../../shared/auth/api-keys.ts';
import type { AwsAlerts } from '../../shared/aws/alerts-runtime.ts';
import { DEFAULT_SWEEP_GRACE_SECONDS } from '../../shared/aws/config.ts';
import { sqsDeliveryQueue } from '../../shared/aws/sqs-queue.ts';
import {
  createSmtpTransport,
  type MailToSend,
  type MailTransport,
} from '../../shared/delivery/email/transport.ts';
import type { Resolver } from '../../shared/delivery/ssrf-guard.ts';
import type { EventInput } from '../../shared/domain/event.ts';
import type { Subscription } from '../../shared/domain/subscription.ts';
import { EventService } from '../../shared/events/event-service.ts';
import { createApp } from '../../shared/http/app.ts';
import type { AppEnv } from '../../shared/http/context.ts';
import { openEmbeddedStore } from '../../shared/local/local-store.ts';
import { createLogger, type Logger } from '../../shared/platform/logger.ts';
import { createMetrics } from '../../shared/platform/metrics.ts';
import { type DeliveryRef, DeliveryRepository } from '../../shared/store/delivery-repository.ts';
import type { Table } from '../../shared/store/dynamo.ts';
import { EventRepository } from '../../shared/store/event-repository.ts';
import { IdempotencyStore } from '../../shared/store/idempotency-store.ts';
import { SubscriptionRepository } from '../../shared/store/subscription-repository.ts';
import { eventInput, state } from '../fixtures/events.ts';

/** Where links in mails point; tests map them back onto `app.request`. */
export const PUBLIC_URL = 'http://dateline.test';

/** The token-signing key of every alert stack. */
const ALERT_TOKEN_KEY: Uint8Array = Buffer.from('dateline-alerts-test-key-0123456789abcdef', 'utf8');

const silentLogger: Logger = createLogger({ service: 'test', write: () => {} });

/** Test DNS: public names resolve to a public address, one name to a private one, anything else nowhere. */
const PUBLIC_HOSTS: Record<string, string[]> = {
  'hooks.example.org': ['93.184.215.14'],
  'example.com': ['93.184.215.14'],
  'internal.example.org': ['10.1.2.3'],
  localhost: ['127.0.0.1'],
};

const testResolver: Resolver = async (host) => {
  const addresses = PUBLIC_HOSTS[host];
  if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  return addresses;
};

/** A MailTransport that keeps what it was given, for tests where SMTP is not the point. */
export class MemoryMail implements MailTransport {
  readonly sent: MailToSend[] = [];
  async send(mail: MailToSend): Promise<{ messageId: string }> {
    this.sent.push(mail);
    return { messageId: `<${this.sent.length}@memory>` };
  }
  to(address: string): MailToSend[] {
    return this.sent.filter((mail) => mail.to === address);
  }
}

/** A queue that remembers every ref it was handed (the stand-in for SQS or the local worker's nudge). */
export class RecordingQueue implements DeliveryQueue {
  readonly refs: DeliveryRef[] = [];
  async enqueue(refs: DeliveryRef[]): Promise<void> {
    this.refs.push(...refs);
  }
}

export interface AlertStackOptions {
  /** Send mail to this SMTP server; else mails are kept in `memoryMail`. */
  smtpUrl?: string;
  retrySchedule?: readonly number[];
  webhookTimeoutMs?: number;
}

export interface AlertStack {
  table: Table;
  app: Hono<AppEnv>;
  events: EventService;
  eventRepository: EventRepository;
  subscriptionRepository: SubscriptionRepository;
  deliveries: DeliveryRepository;
  service: SubscriptionService;
  queue: RecordingQueue;
  fanout: FanoutDeps;
  deliver: DeliverDeps;
  memoryMail: MemoryMail;
  apiKeys: ApiKeyStore;
  adminKey: string;
  keyWith(scopes: Scope[]): Promise<string>;
  /** Runs the change feed and every due delivery until nothing is left to do (the local runtime's two loops, by hand). */
  settle(): Promise<void>;
  close(): Promise<void>;
}

/** The alert pipeline over an in-memory dynalite: the same pieces the local runtime wires, driven by hand. */
export async function startAlertStack(options: AlertStackOptions = {}): Promise<AlertStack> {
  const store = await openEmbeddedStore({ tableName: 'dateline-alerts' });
  const { table } = store;

  const eventRepository = new EventRepository(table);
  const subscriptionRepository = new SubscriptionRepository(table);
  const deliveries = new DeliveryRepository(table);
  const queue = new RecordingQueue();
  const memoryMail = new MemoryMail();
  const tokenKey = async () => ALERT_TOKEN_KEY;
  const deliver: DeliverDeps = {
    subscriptions: subscriptionRepository,
    deliveries,
    mail: options.smtpUrl ? createSmtpTransport(options.smtpUrl) : memoryMail,
    mailFrom: 'Dateline <alerts@dateline.test>',
    publicUrl: PUBLIC_URL,
    tokenKey,
    resolve: testResolver,
    allowLoopbackWebhooks: true,
    retrySchedule: options.retrySchedule ?? [0, 1, 1],
    logger: silentLogger,
    metrics: createMetrics({ namespace: 'Test', write: () => {} }),
    webhookTimeoutMs: options.webhookTimeoutMs ?? 2_000,
  };
  const fanout: FanoutDeps = {
    table,
    events: eventRepository,
    subscriptions: subscriptionRepository,
    deliveries,
    queue,
    logger: silentLogger,
  };
  const service = new SubscriptionService({
    subscriptions: subscriptionRepository,
    deliveries,
    queue,
    deliver,
    replays: new ReplayService({ table, deliveries, queue }),
  });
  const events = new EventService({
    table,
    events: eventRepository,
    idempotency: new IdempotencyStore(table),
  });
  const apiKeys = new ApiKeyStore(table);
  const app = createApp({
    events,
    apiKeys,
    tokenKey,
    logger: silentLogger,
    publicUrl: PUBLIC_URL,
    subscriptions: { service: async () => service },
  });
  const keyWith = async (scopes: Scope[]) => (await apiKeys.create({ name: 'test', scopes })).key;
  const adminKey = await keyWith(['admin']);

  const settle = async () => {
    for (let round = 0; round < 50; round++) {
      const fanned = await drainChangeFeed(fanout, { limit: 25 });
      // Retries of the short schedule fall due within a second or two; take them now.
      const due = await deliveries.due(new Date(Date.now() + 5_000), 100);
      for (const ref of due) await attemptDelivery(deliver, ref, { ignoreSchedule: true });
      if (fanned.events === 0 && due.length === 0) return;
    }
    throw new Error('the alert pipeline did not settle in 50 rounds');
  };

  return {
    table,
    app,
    events,
    eventRepository,
    subscriptionRepository,
    deliveries,
    service,
    queue,
    fanout,
    deliver,
    memoryMail,
    apiKeys,
    adminKey,
    keyWith,
    settle,
    close: () => store.close(),
  };
}

export const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/dateline-prod-DeliveryQueue';

/**
 * The Lambda functions' wiring (what createAwsAlerts builds from the environment) over the stack's
 * dynalite table, with deliveries announced on `sqs` (a client under aws-sdk-client-mock in tests).
 */
export function awsAlertsFor(stack: AlertStack, sqs: SQSClient, table: Table = stack.table): AwsAlerts {
  const queue = sqsDeliveryQueue(sqs, QUEUE_URL);
  const subscriptions = new SubscriptionRepository(table);
  const deliveries = new DeliveryRepository(table);
  const deliver: DeliverDeps = { ...stack.deliver, subscriptions, deliveries };
  return {
    config: {
      tableName: table.name,
      metricsNamespace: 'Test',
      logLevel: 'error',
      retrySchedule: stack.deliver.retrySchedule,
      allowLoopbackWebhooks: stack.deliver.allowLoopbackWebhooks,
      sweepGraceSeconds: DEFAULT_SWEEP_GRACE_SECONDS,
    },
    table,
    logger: silentLogger,
    sqs,
    queueUrl: QUEUE_URL,
    fanout: {
      table,
      events: new EventRepository(table),
      subscriptions,
      deliveries,
      queue,
      logger: silentLogger,
    },
    deliver,
    subscriptions: new SubscriptionService({
      subscriptions,
      deliveries,
      queue,
      deliver,
      replays: new ReplayService({ table, deliveries, queue }),
    }),
  };
}

/** Maps a link from a mail (on PUBLIC_URL) onto a path the in-process app answers. */
export function localPath(link: string): string {
  const url = new URL(link);
  if (url.origin !== PUBLIC_URL) throw new Error(`not a Dateline link: ${link}`);
  return `${url.pathname}${url.search}`;
}

/** The first Dateline link in a text whose path starts with `path`. */
export function linkIn(text: string, path: string): string {
  const match = text.match(/https?:\/\/[^\s<>"]+/g)?.find((link) => new URL(link).pathname.startsWith(path));
  if (!match) throw new Error(`no ${path} link in:\n${text}`);
  return match;
}

/**
 * Follows a confirmation link as a person does: the GET shows a page with a Confirm button (and
 * changes nothing: mail scanners follow links too), the button POSTs to the same address.
 */
export async function confirmThroughPage(
  request: (path: string, init?: RequestInit) => Response | Promise<Response>,
  link: string,
): Promise<Response> {
  const path = localPath(link);
  const page = await request(path);
  const body = await page.text();
  const action = /<form method="post" action="([^"]+)"/.exec(body)?.[1]?.replaceAll('&amp;', '&');
  if (page.status !== 200 || !action)
    throw new Error(`no Confirm button at ${path} (${page.status}):\n${body}`);
  return request(action, { method: 'POST' });
}

export const bearer = (key: string): Record<string, string> => ({ authorization: `Bearer ${key}` });

export function json(method: string, body: unknown, headers: Record<string, string> = {}): RequestInit {
  return {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  };
}

/** An event input for alert tests: a DPRK missile launch, mid-June 2024, with the ICARO article as source. */
export function alertEventInput(overrides: Partial<EventInput> = {}): EventInput {
  return eventInput({
    title: 'Ballistic missiles fired at Ukraine',
    summary: 'Four ballistic missiles, possibly supplied by the DPRK, were fired at Ukraine.',
    date: '2024-06-15~',
    actors: [state('RU'), state('KP')],
    ...overrides,
  });
}

/** An active subscription record, for tests that write one straight to the table: its channel fields and filter given. */
export function activeSubscription(
  fields: Pick<Subscription, 'channel' | 'filter'> & Partial<Subscription>,
): Subscription {
  const at = new Date().toISOString();
  return {
    id: ulid(),
    types: ['event.created'],
    status: 'active',
    secrets: [],
    createdAt: at,
    updatedAt: at,
    version: 1,
    ...fields,
  };
}

/** An active (confirmed) email subscription to one tag, `<tag>@example.net`, written straight to the table. */
export async function activeEmailSubscriber(
  stack: Pick<AlertStack, 'subscriptionRepository'>,
  tag: string,
): Promise<Subscription> {
  const subscription = activeSubscription({
    channel: 'email',
    address: `${tag}@example.net`,
    filter: { kinds: [], actors: [], tags: [tag] },
  });
  await stack.subscriptionRepository.create(subscription);
  return subscription;
}
