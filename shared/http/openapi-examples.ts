import { parseEventDate } from '../domain/dates.ts';
import type { EventInput, TimelineEvent } from '../domain/event.ts';
import seed from '../seed/timeline.json' with { type: 'json' };
import type { DocumentExamples, Examples } from './openapi-document.ts';
import { problemExamples } from './openapi-problem-examples.ts';

/**
 * The document's examples, taken from the seed timeline (the ICARO Media Group article of
 * 28 June 2024) so that a reader of /docs sees the events a fresh `npm start` serves. Ids, times
 * and secrets are made up: the store gives each event its own id when it loads the seed.
 * Loaded with the document only (a dynamic import), so no cold start pays for it.
 */

const events = seed.events as EventInput[];
const byKind = (kind: EventInput['kind']) => events.find((event) => event.kind === kind)!;

const pact = byKind('pact-signing');
const council = byKind('council-meeting');
const launch = byKind('missile-launch');

const EVENT_IDS: Record<string, string> = {
  'military-action': '01J1Z8Q4Y6V3W2X1A0B9C8D7E1',
  resolution: '01J1Z8Q4Y6V3W2X1A0B9C8D7E2',
  'missile-finding': '01J1Z8Q4Y6V3W2X1A0B9C8D7E3',
  'missile-launch': '01J1Z8Q4Y6V3W2X1A0B9C8D7E4',
  'pact-signing': '01J1Z8Q4Y6V3W2X1A0B9C8D7E5',
  'council-meeting': '01J1Z8Q4Y6V3W2X1A0B9C8D7E6',
};
const SUBSCRIPTION_ID = '01J20A7G5N3M2K1J0H9G8F7E6D';
const DELIVERY_ID = '01J20B3C4D5E6F7G8H9J0K1M2N';
const LOADED_AT = '2024-07-01T09:00:00.000Z';

/** A seed event as the API serves it: its date resolved, with an id and bookkeeping. */
function served(input: EventInput, version = 1, updatedAt = LOADED_AT): TimelineEvent {
  const { date: _asWritten, ...resolved } = parseEventDate(input.date);
  return {
    id: EVENT_IDS[input.kind]!,
    ...input,
    ...resolved,
    createdAt: LOADED_AT,
    updatedAt,
    version,
  };
}

const june = events
  .filter((event) => event.date.startsWith('2024-06'))
  .map((event) => served(event))
  .sort((a, b) => a.earliest.localeCompare(b.earliest));

const webhookFilter = { kinds: ['missile-launch', 'missile-finding'], actors: ['KP'], tags: [] };
const webhookSubscription = {
  id: SUBSCRIPTION_ID,
  channel: 'webhook',
  url: 'https://hooks.example.org/dateline',
  filter: webhookFilter,
  types: ['event.created', 'event.updated'],
  status: 'active',
  frequency: 'immediate',
  createdAt: LOADED_AT,
  updatedAt: LOADED_AT,
};
const emailSubscription = {
  id: SUBSCRIPTION_ID,
  channel: 'email',
  address: 'desk@example.org',
  filter: { kinds: ['council-meeting'], actors: [], tags: [] },
  types: ['event.created'],
  status: 'pending',
  frequency: 'immediate',
  createdAt: LOADED_AT,
  updatedAt: LOADED_AT,
};
const delivery = {
  id: DELIVERY_ID,
  kind: 'event.created',
  eventId: EVENT_IDS['missile-launch'],
  status: 'delivered',
  attempts: [{ at: '2024-07-01T09:00:01.204Z', status: 200, latencyMs: 184 }],
  createdAt: '2024-07-01T09:00:01.020Z',
  updatedAt: '2024-07-01T09:00:01.388Z',
};
const { eventId: _none, ...ping } = { ...delivery, kind: 'ping' };
const patchedLaunch = { ...launch, date: '2024-06-15~', tags: [...launch.tags, 'hwasong-11'] };

/** Examples of the named schemas, wherever a route uses them. */
export const schemaExamples: Record<string, unknown> = {
  EventInput: pact,
  Event: served(council),
  EventPage: { items: june, nextCursor: null },
  EventPatch: { date: '2024-06-15~', tags: patchedLaunch.tags },
  Location: council.location,
  Source: council.sources[0],
  Subscription: webhookSubscription,
  CreatedWebhookSubscription: { ...webhookSubscription, secret: 'whsec_…', token: 'dls_…' },
  CreateSubscription: { channel: 'webhook', url: webhookSubscription.url, filter: webhookFilter },
  UpdateSubscription: { filter: { ...webhookFilter, tags: ['arms-embargo'] } },
  SubscriptionFilter: webhookFilter,
  Delivery: delivery,
  SubscriptionPage: { items: [webhookSubscription], nextCursor: null },
  Replay: {
    id: '01J20C9D8E7F6G5H4J3K2M1N0P',
    subscriptionId: SUBSCRIPTION_ID,
    from: '2024-06-01',
    to: '2024-06-30',
    events: june.length,
    createdAt: LOADED_AT,
  },
  TimelineJs: {
    title: { text: { headline: 'Dateline', text: 'A timeline of dated events in international affairs' } },
    events: [
      {
        start_date: { year: 2024, month: 6, day: 19 },
        display_date: '19 June 2024',
        text: { headline: pact.title, text: pact.summary },
        group: 'Pact signing',
        unique_id: EVENT_IDS['pact-signing'],
      },
    ],
  },
  JsonFeed: {
    version: 'https://jsonfeed.org/version/1.1',
    title: 'Dateline',
    home_page_url: 'https://dateline.example.org/',
    feed_url: 'https://dateline.example.org/v1/feeds/events.json',
    description: 'A timeline of dated events in international affairs',
    language: 'en',
    authors: [{ name: 'Dateline', url: 'https://dateline.example.org/' }],
    items: [
      {
        // The event's API URL: an entry's permanent id, the same in Atom, RSS and JSON Feed.
        id: `https://dateline.example.org/v1/events/${EVENT_IDS['pact-signing']}`,
        url: `https://dateline.example.org/events/${EVENT_IDS['pact-signing']}`,
        title: pact.title,
        content_html: `<p>${pact.summary}</p>`,
        content_text: pact.summary,
        summary: `19 June 2024. ${pact.summary}`,
        date_published: LOADED_AT,
        date_modified: LOADED_AT,
        tags: pact.tags,
        language: 'en',
        _dateline: { date: pact.date, kind: pact.kind, sources: pact.sources },
      },
    ],
  },
  ChangePage: {
    items: [
      {
        seq: 6,
        cursor: 'eyJhIjoiNi8wMUoxWjhRNFk2VjNXMlgxQTBCOUM4RDdFNi4xIiwicSI6ImNoYW5nZXMifQ.x',
        type: 'created',
        eventId: EVENT_IDS['council-meeting'],
        version: 1,
        at: LOADED_AT,
        event: served(council),
      },
    ],
    nextCursor: 'eyJhIjoiNi8wMUoxWjhRNFk2VjNXMlgxQTBCOUM4RDdFNi4xIiwicSI6ImNoYW5nZXMifQ.x',
    hasMore: false,
  },
  CreatedApiKey: {
    keyId: '3f9c0a1b2c3d',
    name: 'newsroom importer',
    scopes: ['events:write'],
    key: 'dl_3f9c0a1b2c3d_…',
  },
};

const eventId = { id: EVENT_IDS['council-meeting'] };
const subscriptionId = { id: SUBSCRIPTION_ID };

/** Examples of each operation: the bodies a reader may pick from, parameters, responses. */
export const operationExamples: DocumentExamples = {
  'get /v1/events': {
    parameters: { from: '2024-06', to: '2024-06' },
    responses: { 200: { items: june, nextCursor: null } },
  },
  'post /v1/events': {
    body: {
      pact: { summary: 'The Russia–North Korea pact of 2024-06-19 (seed timeline)', value: pact },
      launch: {
        summary: 'Mid-June 2024 as an interval, states as their ISO codes',
        value: { ...launch, actors: ['RU', 'UA', 'KP'] },
      },
    },
    parameters: { 'idempotency-key': 'seed-pact-signing-2024-06-19' },
    responses: { 201: served(pact) },
  },
  'get /v1/events/{id}': { parameters: eventId, responses: { 200: served(council) } },
  'patch /v1/events/{id}': {
    body: {
      date: {
        summary: 'Narrow mid-June to an approximate day and add a tag',
        value: { date: patchedLaunch.date, tags: patchedLaunch.tags },
      },
      location: { summary: 'Remove the location', value: { location: null } },
    },
    parameters: { id: EVENT_IDS['missile-launch'], 'if-match': '"v1"' },
    responses: { 200: served(patchedLaunch, 2, '2024-07-02T08:30:00.000Z') },
  },
  'delete /v1/events/{id}': { parameters: { ...eventId, 'if-match': '"v1"' } },
  'post /v1/keys': {
    body: {
      importer: {
        summary: 'A key for an importer that writes events',
        value: { name: 'newsroom importer', scopes: ['events:write'] },
      },
    },
    responses: { 201: schemaExamples.CreatedApiKey },
  },
  'post /v1/subscriptions': {
    body: {
      webhook: {
        summary: 'A signed webhook for North Korean missile events (key with subscriptions:write)',
        value: {
          ...(schemaExamples.CreateSubscription as object),
          types: ['event.created', 'event.updated'],
        },
      },
      email: {
        summary: 'Email alerts for Security Council meetings (anyone; double opt-in)',
        value: { channel: 'email', address: 'desk@example.org', filter: { kinds: ['council-meeting'] } },
      },
    },
    responses: { 201: schemaExamples.CreatedWebhookSubscription, 202: emailSubscription },
  },
  'get /v1/subscriptions/{id}': { parameters: subscriptionId, responses: { 200: webhookSubscription } },
  'patch /v1/subscriptions/{id}': {
    body: {
      filter: {
        summary: 'Narrow the filter to arms-embargo stories',
        value: schemaExamples.UpdateSubscription,
      },
      enable: { summary: 'Re-enable a disabled subscription', value: { status: 'active' } },
    },
    parameters: subscriptionId,
    responses: { 200: { ...webhookSubscription, filter: { ...webhookFilter, tags: ['arms-embargo'] } } },
  },
  'delete /v1/subscriptions/{id}': { parameters: subscriptionId },
  'post /v1/subscriptions/{id}/test': {
    parameters: subscriptionId,
    responses: { 200: ping },
  },
  'post /v1/subscriptions/{id}/secret': {
    parameters: subscriptionId,
    responses: { 200: { secret: 'whsec_…', previousSecretsValidUntil: '2024-07-02T09:00:00.000Z' } },
  },
  'get /v1/subscriptions/{id}/deliveries': {
    parameters: { ...subscriptionId, limit: 20 },
    responses: { 200: { items: [delivery], nextBefore: null } },
  },
  'post /v1/subscriptions/{id}/deliveries/{deliveryId}/retry': {
    parameters: { ...subscriptionId, deliveryId: DELIVERY_ID },
    responses: {
      202: { ...delivery, status: 'pending', nextAttemptAt: '2024-07-02T10:00:00.000Z' },
    },
  },
  'get /v1/subscriptions/confirm': { parameters: { token: 'the token in the confirmation link' } },
  'get /v1/unsubscribe': { parameters: { token: 'the token in the mail' } },
  'post /v1/unsubscribe': { parameters: { token: 'the token in the mail' } },
};

/** Everything the document shows as examples. */
export const documentExamples: Examples = {
  schemas: schemaExamples,
  operations: operationExamples,
  problems: problemExamples,
};
