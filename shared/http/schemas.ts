import { z } from '@hono/zod-openapi';
import { isCountryCode } from '../domain/country.ts';
import { parseEventDate } from '../domain/dates.ts';
import { eventKinds } from '../domain/event.ts';
import { ValidationError } from '../errors.ts';

/** The schemas that validate requests are the ones the OpenAPI document is generated from. */

const countryCode = z
  .string()
  .refine(isCountryCode, { message: 'must be an ISO 3166-1 alpha-2 country code, for example RU' })
  .openapi({ example: 'RU' });

export const EventDateSchema = z
  .string()
  .min(1)
  .max(40)
  .superRefine((value, ctx) => {
    try {
      parseEventDate(value);
    } catch (error) {
      ctx.addIssue({
        code: 'custom',
        message: error instanceof ValidationError ? error.message : 'invalid date',
      });
    }
  })
  .openapi({
    description:
      'EDTF subset: YYYY, YYYY-MM or YYYY-MM-DD, optionally qualified ~ (approximate), ? (uncertain) or % (both), or a closed interval A/B.',
    example: '2024-06-15~',
  });

const ActorSchema = z
  .discriminatedUnion('type', [
    z.strictObject({
      type: z.literal('state'),
      code: countryCode,
      role: z.string().min(1).max(200).optional(),
    }),
    z.strictObject({
      type: z.enum(['organisation', 'person']),
      name: z.string().trim().min(1).max(200),
      role: z.string().min(1).max(200).optional(),
    }),
  ])
  .openapi('Actor', { example: { type: 'state', code: 'KP' } });

const LocationSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    country: countryCode.optional(),
    lat: z.number().min(-90).max(90).optional(),
    lon: z.number().min(-180).max(180).optional(),
  })
  .openapi('Location', { example: { name: 'Kharkiv', country: 'UA' } });

const httpUrl = z
  .string()
  .max(2000)
  .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), {
    message: 'must be an http or https URL',
  });

/** Whether YYYY-MM-DD names a day that exists (Date.parse rolls 2024-02-30 over to 1 March instead of refusing it). */
function isCalendarDay(day: string): boolean {
  const date = new Date(`${day}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === day;
}

const SourceSchema = z
  .strictObject({
    url: httpUrl,
    title: z.string().trim().min(1).max(500),
    publisher: z.string().trim().min(1).max(200),
    publishedAt: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?)?$/, {
        message: 'must be an ISO 8601 date or date-time, for example 2024-06-28T22:45',
      })
      .refine(
        (value) =>
          isCalendarDay(value.slice(0, 10)) &&
          !Number.isNaN(Date.parse(value.length === 10 ? value : value.slice(0, 16))),
        { message: 'is not a real date' },
      ),
  })
  .openapi('Source');

const tag = z.string().regex(/^[a-z0-9][a-z0-9-]{0,49}$/, {
  message: 'tags are lowercase words joined by hyphens, e.g. arms-embargo',
});

export const EventInputSchema = z
  .strictObject({
    kind: z.enum(eventKinds),
    title: z.string().trim().min(1).max(300),
    summary: z.string().trim().max(5000).default(''),
    date: EventDateSchema,
    location: LocationSchema.optional(),
    actors: z.array(ActorSchema).max(50).default([]),
    tags: z
      .array(tag)
      .max(20)
      .default([])
      .refine((tags) => new Set(tags).size === tags.length, { message: 'tags must not repeat' }),
    sources: z.array(SourceSchema).min(1, { message: 'an event needs at least one source' }).max(20),
  })
  .openapi('EventInput');

export const EventSchema = EventInputSchema.extend({
  id: z.string().openapi({ example: '01J1Z8Q4Y6V3W2X1A0B9C8D7E6' }),
  earliest: z
    .string()
    .openapi({ description: 'First day the date can mean (inclusive)', example: '2024-06-01' }),
  latest: z
    .string()
    .openapi({ description: 'Last day the date can mean (inclusive)', example: '2024-06-30' }),
  precision: z.enum(['day', 'month', 'year', 'interval']),
  qualifier: z.enum(['approximate', 'uncertain', 'approximate-uncertain']).optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.number().int(),
}).openapi('Event');

export const EventPageSchema = z
  .object({ items: z.array(EventSchema), nextCursor: z.string().nullable() })
  .openapi('EventPage');

const repeatable = (description: string) =>
  z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform((value) => (value === undefined ? [] : Array.isArray(value) ? value : [value]))
    .openapi({ description, type: 'array', items: { type: 'string' } });

export const TimelineQuerySchema = z.object({
  from: z
    .string()
    .optional()
    .openapi({ description: 'Partial date; events whose interval meets the range', example: '2024-06' }),
  to: z.string().optional().openapi({ example: '2024-06-30' }),
  kind: repeatable('Event kind (repeatable, OR)'),
  actor: repeatable('Actor: ISO country code or organisation/person name (repeatable, OR)'),
  tag: repeatable('Tag (repeatable, OR)'),
  q: z.string().max(200).optional().openapi({ description: 'Text to find in title or summary' }),
  order: z.enum(['asc', 'desc']).default('asc'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(2000).optional().openapi({ description: 'Opaque cursor from a previous page' }),
});

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .openapi('Problem');

export const IdParamSchema = z.object({
  id: z
    .string()
    .regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, { message: 'is not an event id' })
    .openapi({ param: { name: 'id', in: 'path' }, example: '01J1Z8Q4Y6V3W2X1A0B9C8D7E6' }),
});

/** A merge patch of an event: any editable field; null removes an optional one. The merged result is validated in full. */
export const EventPatchSchema = z
  .record(z.string(), z.unknown())
  .superRefine((patch, ctx) => {
    const editable = new Set(Object.keys(EventInputSchema.shape));
    for (const key of Object.keys(patch)) {
      if (!editable.has(key))
        ctx.addIssue({ code: 'custom', path: [key], message: `${key} cannot be changed` });
    }
  })
  .openapi('EventPatch', { example: { date: '2024-06-19', tags: ['russia-dprk-pact'] } });
