import * as z from 'zod/mini';
import { EDTF_BOUNDARY_PATTERN } from '../domain/dates.ts';
import { DEFAULT_DIGEST_HOUR, digestFrequencies } from '../domain/digest.ts';
import { eventKinds, normaliseActorQuery, normaliseKey } from '../domain/event.ts';
import { alertTypes } from '../domain/subscription.ts';
import { lazy, meta, named } from './schema-meta.ts';
import { HTTP_URL_PATTERN, queryInteger } from './schemas.ts';

/** A list of up to 20 trimmed names, normalised and without repeats. */
const names = (max: number, normalise: (name: string) => string) =>
  z.pipe(
    z._default(
      z
        .array(
          // Trimmed first: the pattern (a character that is not whitespace) says so.
          meta(z.string().check(z.trim(), z.minLength(1), z.maxLength(max)), { pattern: '\\S' }),
        )
        .check(z.maxLength(20)),
      [],
    ),
    z.transform((values: string[]) => [...new Set(values.map(normalise))]),
  );

const subscriptionFilterSchema = lazy(() =>
  named(
    'SubscriptionFilter',
    z.strictObject({
      kinds: z._default(z.array(z.enum(eventKinds)).check(z.maxLength(20)), []),
      actors: names(200, normaliseActorQuery),
      tags: names(50, normaliseKey),
    }),
    {
      description:
        'Every named dimension must match (kinds OR, actors OR, tags OR). An empty filter matches every event.',
      example: { kinds: ['missile-launch', 'missile-finding'], actors: ['KP'] },
    },
  ),
);

const emptyFilter = { kinds: [], actors: [], tags: [] };
const typesSchema = lazy(() =>
  meta(
    z.pipe(
      z._default(z.array(z.enum(alertTypes)).check(z.minLength(1), z.maxLength(alertTypes.length)), [
        'event.created',
      ]),
      z.transform((types: (typeof alertTypes)[number][]) => [...new Set(types)]),
    ),
    { description: 'Which changes to be told about (default: event.created only)' },
  ),
);

const webhookUrl = lazy(() =>
  meta(
    z.string().check(
      z.maxLength(2000),
      z.regex(HTTP_URL_PATTERN, { message: 'must be an https URL' }),
      z.refine((value) => URL.canParse(value), { message: 'must be an absolute URL' }),
    ),
    {
      format: 'uri',
      description:
        'An https URL whose host resolves to public addresses only (else 422); plain http only to loopback, where the local runtime allows it',
      example: 'https://hooks.example.org/dateline',
    },
  ),
);

const email = () => z.email().check(z.maxLength(254));

const frequencySchema = () =>
  meta(z.optional(z.enum(digestFrequencies)), {
    description:
      'immediate (default): one alert per change. daily or weekly: one digest per period listing its changes, sent at digestHour (UTC); a weekly period ends on Mondays',
  });
const digestHourSchema = () =>
  meta(z.optional(z.int().check(z.gte(0), z.lte(23))), {
    description: `The hour (UTC) a digest period ends and its digest is sent, for frequency daily or weekly (kept for later otherwise); default ${DEFAULT_DIGEST_HOUR}`,
  });

/** An EDTF date boundary as `GET /v1/events` takes it (YYYY, YYYY-MM, YYYY-MM-DD); resolved by the route. */
const boundary = (description: string) =>
  meta(z.string().check(z.minLength(4), z.maxLength(40)), {
    description,
    example: '2024-06',
    pattern: EDTF_BOUNDARY_PATTERN,
  });

/** A range of event dates (overlap, as in the timeline): from..to, both EDTF boundaries. */
export const replayRangeSchema = lazy(() =>
  named(
    'ReplayRange',
    z.strictObject({
      from: boundary('First day of the range: events whose date ends on or after it'),
      to: boundary('Last day of the range: events whose date starts on or before it'),
    }),
    {
      description:
        'Past events whose own date overlaps from..to, at most 500 (a broader range is refused with 422)',
      example: { from: '2024-01', to: '2024-06' },
    },
  ),
);

const backfillSchema = () =>
  meta(
    z.optional(
      z.union([
        z.strictObject({
          limit: meta(z.int().check(z.gte(1), z.lte(50)), { description: 'The latest 1–50 matching events' }),
        }),
        replayRangeSchema(),
      ]),
    ),
    {
      description:
        'Send matching past events on subscribing, in timeline order, as event.created with replay: true: the latest `limit`, or those dated within from..to. Webhooks at once; email once confirmed',
    },
  );

export const createSubscriptionSchema = lazy(() =>
  named(
    'CreateSubscription',
    z.discriminatedUnion('channel', [
      z.strictObject({
        channel: z.literal('email'),
        address: email(),
        filter: z._default(subscriptionFilterSchema(), emptyFilter),
        types: typesSchema(),
        frequency: frequencySchema(),
        digestHour: digestHourSchema(),
        backfill: backfillSchema(),
      }),
      z.strictObject({
        channel: z.literal('webhook'),
        url: webhookUrl(),
        contactEmail: meta(z.optional(email()), {
          description: 'Told if the webhook is disabled after failing for days',
        }),
        filter: z._default(subscriptionFilterSchema(), emptyFilter),
        types: typesSchema(),
        frequency: frequencySchema(),
        digestHour: digestHourSchema(),
        backfill: backfillSchema(),
      }),
    ]),
  ),
);

export const updateSubscriptionSchema = lazy(() =>
  named(
    'UpdateSubscription',
    z.strictObject({
      filter: z.optional(subscriptionFilterSchema()),
      types: z.optional(typesSchema()),
      url: z.optional(webhookUrl()),
      contactEmail: z.optional(z.nullable(email())),
      status: meta(z.optional(z.literal('active')), { description: 'Re-enable a disabled subscription' }),
      frequency: frequencySchema(),
      digestHour: digestHourSchema(),
    }),
  ),
);

const strings = () => z.array(z.string());

export const subscriptionSchema = lazy(() =>
  named(
    'Subscription',
    z.object({
      id: z.string(),
      channel: z.enum(['email', 'webhook']),
      address: z.optional(z.string()),
      url: z.optional(z.string()),
      contactEmail: z.optional(z.string()),
      filter: z.object({ kinds: strings(), actors: strings(), tags: strings() }),
      types: z.array(z.enum(alertTypes)),
      status: meta(z.enum(['pending', 'active', 'disabled', 'unsubscribed']), {
        description:
          'pending until an email address is confirmed; disabled when the receiver refused for good (webhook 410, a permanent bounce or a complaint) or deliveries failed for 5 days (PATCH status: active re-enables); unsubscribed for good',
      }),
      statusReason: meta(z.optional(z.string()), {
        description: 'Why it is disabled or unsubscribed, in words',
        example: 'the address bounced permanently: 550 5.1.1 user unknown',
      }),
      failingSince: meta(z.optional(z.string()), {
        description: 'When the current run of failed deliveries began (cleared by a delivery)',
      }),
      lastDeliveryAt: meta(z.optional(z.string()), {
        description:
          'When a delivery last reached the receiver (a 2xx, an SMTP 250, an SES Delivery event); moved at most once an hour. The delivery log has every attempt',
      }),
      frequency: z.enum(digestFrequencies),
      digestHour: meta(z.optional(z.int()), {
        description: 'The hour (UTC) digests go out (used by daily and weekly subscriptions)',
      }),
      createdAt: z.string(),
      updatedAt: z.string(),
    }),
  ),
);

export const createdWebhookSchema = lazy(() =>
  named(
    'CreatedWebhookSubscription',
    z.extend(subscriptionSchema(), {
      secret: meta(z.string(), { description: 'Signing secret (whsec_…); shown only now' }),
      token: meta(z.string(), { description: 'Management token for this subscription; shown only now' }),
      backfill: meta(z.optional(replaySchema()), {
        description: 'The backfill asked for, sent at once (its deliveries carry its id as replayId)',
      }),
    }),
  ),
);

export const deliverySchema = lazy(() =>
  named(
    'Delivery',
    z.object({
      id: meta(z.string(), { description: 'Also the webhook-id header, stable across retries' }),
      kind: z.string(),
      eventId: z.optional(z.string()),
      status: z.enum(['pending', 'delivered', 'dead', 'gone', 'skipped']),
      attempts: z.array(
        z.object({
          at: z.string(),
          status: z.optional(z.number()),
          error: z.optional(z.string()),
          latencyMs: z.number(),
        }),
      ),
      nextAttemptAt: z.optional(z.string()),
      replayId: meta(z.optional(z.string()), {
        description: 'The replay (or backfill) that sent this past event again',
      }),
      createdAt: z.string(),
      updatedAt: z.string(),
    }),
  ),
);

export const replaySchema = lazy(() =>
  named(
    'Replay',
    z.object({
      id: meta(z.string(), { description: 'The replay id (a ULID); its deliveries carry it as replayId' }),
      subscriptionId: z.string(),
      from: meta(z.optional(z.string()), { description: 'The range as resolved to days' }),
      to: z.optional(z.string()),
      limit: z.optional(z.int()),
      events: meta(z.int(), { description: 'Past events sent, one event.created (replay: true) each' }),
      createdAt: z.string(),
    }),
  ),
);

const ulid = (message: string) => z.string().check(z.regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, { message }));

export const subscriptionIdParams = lazy(() => z.object({ id: ulid('is not a subscription id') }));

export const deliveryParams = lazy(() =>
  z.extend(subscriptionIdParams(), { deliveryId: ulid('is not a delivery id') }),
);

export const deliveriesQuery = lazy(() =>
  z.object({
    limit: queryInteger(1, 100, 50),
    before: z.optional(ulid('is not a delivery id')),
  }),
);

export const tokenQuery = lazy(() => z.object({ token: z.string().check(z.minLength(1), z.maxLength(500)) }));
