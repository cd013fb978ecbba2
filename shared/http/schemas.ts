import * as z from 'zod/mini';
import { COUNTRY_CODES, isCountryCode } from '../domain/country.ts';
import { EDTF_BOUNDARY_PATTERN, EDTF_DATE_PATTERN, parseEventDate } from '../domain/dates.ts';
import { eventKinds } from '../domain/event.ts';
import { ValidationError } from '../errors.ts';
import { lazy, meta, named } from './schema-meta.ts';

/**
 * The schemas that validate requests are the ones the OpenAPI document is generated from. Each is
 * built on its first use (see `lazy`); a schema used inside others is built with the first of them.
 */

/** The codes the document lists as the enum validation checks them against. */
const countryCodes = () => [...COUNTRY_CODES].sort();

const countryCode = lazy(() =>
  named(
    'CountryCode',
    z
      .string()
      .check(
        z.refine(isCountryCode, { message: 'must be an ISO 3166-1 alpha-2 country code, for example RU' }),
      ),
    { description: 'ISO 3166-1 alpha-2 country code', enum: countryCodes(), example: 'RU' },
  ),
);

/**
 * Text that is trimmed before its length is checked: the document says so with a pattern (some
 * character that is not whitespace) beside the lengths.
 */
const text = (min: number, max: number) =>
  meta(z.string().check(z.trim(), z.minLength(min), z.maxLength(max)), {
    ...(min > 0 ? { pattern: '\\S' } : {}),
    description: 'Trimmed before its length is checked',
  });
const role = () => z.optional(z.string().check(z.minLength(1), z.maxLength(200)));

const eventDateSchema = lazy(() =>
  meta(
    // Trimmed, so the date is stored as the pattern writes it (and a stored padded one still patches).
    z.string().check(
      z.trim(),
      z.minLength(1),
      z.maxLength(40),
      z.superRefine((value, ctx) => {
        try {
          parseEventDate(value);
        } catch (error) {
          ctx.addIssue({
            code: 'custom',
            message: error instanceof ValidationError ? error.message : 'invalid date',
          });
        }
      }),
    ),
    {
      description:
        'EDTF (ISO 8601-2) level 0 and 1 subset: YYYY, YYYY-MM or YYYY-MM-DD; X for digits not given, from the right ' +
        '(201X a year of the 2010s, 20XX of 2000–2099, 2024-XX a month of 2024, 2024-06-XX a day of June 2024); ' +
        'each optionally qualified ~ (approximate), ? (uncertain) or % (both). Or an interval START/END whose ends ' +
        'are such dates, each with its own qualifier, or .. (open: 2024-06/.. is ongoing since June 2024) or empty ' +
        '(unknown: 2024-06/ has an end not known); at least one end is a date. Refused beyond the pattern: days ' +
        'past the end of their month, and an interval whose start begins after its end ends.',
      example: '2024-06-15~',
      pattern: EDTF_DATE_PATTERN,
    },
  ),
);

const actorSchema = lazy(() =>
  named(
    'Actor',
    z.discriminatedUnion('type', [
      z.strictObject({ type: z.literal('state'), code: countryCode(), role: role() }),
      z.strictObject({ type: z.enum(['organisation', 'person']), name: text(1, 200), role: role() }),
    ]),
    { example: { type: 'state', code: 'KP' } },
  ),
);

const stateShorthandMessage = 'a bare actor is a state: an ISO 3166-1 alpha-2 country code, for example RU';
const actorFormsMessage =
  "an actor is an object with a type (state, organisation or person), or a state's ISO 3166-1 alpha-2 code";

/**
 * An actor as a client may write it: the Actor object, or a bare ISO 3166-1 alpha-2 code as
 * shorthand for a state (`"KP"` is `{ "type": "state", "code": "KP" }`), as filters and `?actor=`
 * take codes. The shorthand is normalised to the object, so events store and serve objects only.
 *
 * The document shows the union of the two; validation picks the form by the input's type instead,
 * so that an object's errors keep their own paths (`actors.0.type`) and a string's name the code
 * (a zod union that no alternative matches says only "Invalid input").
 */
const actorInputSchema = lazy(() => {
  const shorthand = meta(z.string().check(z.refine(isCountryCode, { message: stateShorthandMessage })), {
    description: 'Shorthand for a state actor: its ISO 3166-1 alpha-2 code',
    enum: countryCodes(),
    example: 'KP',
  });
  const object = actorSchema();
  return z.pipe(
    z.transform((value: unknown, payload) => {
      if (typeof value === 'string') {
        if (isCountryCode(value)) return { type: 'state', code: value };
        payload.issues.push({ code: 'custom', message: stateShorthandMessage, input: value, path: [] });
        return value;
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        payload.issues.push({ code: 'custom', message: actorFormsMessage, input: value, path: [] });
        return value;
      }
      const parsed = object.safeParse(value);
      if (parsed.success) return parsed.data;
      for (const { path, message } of parsed.error.issues) {
        payload.issues.push({ code: 'custom', message, input: value, path });
      }
      return value;
    }),
    // Meets only actors already valid as objects; here for the document (which shows a pipe's input as this).
    z.union([
      z.pipe(
        shorthand,
        z.transform((code) => ({ type: 'state' as const, code })),
      ),
      object,
    ]),
  );
});

/**
 * Degrees, rounded to 7 decimal places (about a centimetre): finer is noise, and DynamoDB stores no
 * number closer to zero than 1e-130 (a latitude of 1e-200 would fail the write rather than be refused).
 */
const coordinate = (limit: number) =>
  meta(
    z.pipe(
      z.number().check(z.minimum(-limit), z.maximum(limit)),
      z.transform((degrees) => Math.round(degrees * 1e7) / 1e7 || 0),
    ),
    { description: 'Degrees; rounded to 7 decimal places' },
  );

const locationSchema = lazy(() =>
  named(
    'Location',
    z.strictObject({
      name: text(1, 200),
      country: z.optional(countryCode()),
      lat: z.optional(coordinate(90)),
      lon: z.optional(coordinate(180)),
    }),
    { example: { name: 'Kharkiv', country: 'UA' } },
  ),
);

/** The scheme rule of every URL the API takes, as a pattern the document shows beside `format: uri`. */
export const HTTP_URL_PATTERN = /^[Hh][Tt][Tt][Pp][Ss]?:\/\//;

const httpUrl = () =>
  meta(
    z.string().check(
      z.maxLength(2000),
      z.regex(HTTP_URL_PATTERN, { message: 'must be an http or https URL' }),
      z.refine((value) => URL.canParse(value), { message: 'must be an http or https URL' }),
    ),
    { format: 'uri' },
  );

// A day that exists: each month's length, and 29 February in leap years only (every fourth year,
// but centuries only when divisible by 400).
const MONTH_DAY =
  '(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\\d|30)|02-(?:0[1-9]|1\\d|2[0-8]))';
const LEAP_YEAR = '(?:\\d{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)';
const TIME =
  'T(?:[01]\\d|2[0-3]):[0-5]\\d(?::[0-5]\\d(?:\\.\\d{1,3})?)?(?:Z|[+-](?:[01]\\d|2[0-3]):[0-5]\\d)?';

/** An ISO 8601 day that exists, optionally with a time (hh:mm, seconds, milliseconds) and an offset. */
const PUBLISHED_AT_PATTERN = new RegExp(`^(?:\\d{4}-${MONTH_DAY}|${LEAP_YEAR}-02-29)(?:${TIME})?$`);

const sourceSchema = lazy(() =>
  named(
    'Source',
    z.strictObject({
      url: httpUrl(),
      title: text(1, 500),
      publisher: text(1, 200),
      publishedAt: z.string().check(
        z.regex(PUBLISHED_AT_PATTERN, {
          message:
            'must be a day that exists, as an ISO 8601 date or date-time, for example 2024-06-28T22:45',
        }),
      ),
    }),
  ),
);

const tag = () =>
  z.string().check(
    z.regex(/^[a-z0-9][a-z0-9-]{0,49}$/, {
      message: 'tags are lowercase words joined by hyphens, e.g. arms-embargo',
    }),
  );

// The fields' schemas without their defaults, shared by the event and its merge patch.
const summaryText = () => z.string().check(z.trim(), z.maxLength(5000));
const actorList = () => z.array(actorInputSchema()).check(z.maxLength(50));
const tagList = () =>
  meta(
    z.array(tag()).check(
      z.maxLength(20),
      z.refine((tags) => new Set(tags).size === tags.length, { message: 'tags must not repeat' }),
    ),
    { uniqueItems: true },
  );
const sourceList = () =>
  z
    .array(sourceSchema())
    .check(z.minLength(1, { message: 'an event needs at least one source' }), z.maxLength(20));

export const eventInputSchema = lazy(() =>
  named(
    'EventInput',
    z.strictObject({
      kind: z.enum(eventKinds),
      title: text(1, 300),
      summary: z._default(summaryText(), ''),
      date: eventDateSchema(),
      location: z.optional(locationSchema()),
      actors: z._default(actorList(), []),
      tags: z._default(tagList(), []),
      sources: sourceList(),
    }),
  ),
);

const day = (description: string, example: string) => meta(z.string(), { description, example });

const precisionSchema = () =>
  meta(z.enum(['day', 'month', 'year', 'decade', 'century', 'interval']), {
    description:
      'How precisely the date is known: a single date’s unit (decade for 201X, century for 20XX, year for 2024-XX, month for 2024-06-XX), or interval',
  });
const qualifierSchema = () => z.optional(z.enum(['approximate', 'uncertain', 'approximate-uncertain']));

const dateEndSchema = lazy(() =>
  named(
    'EventDateEnd',
    z.object({
      date: meta(z.string(), { description: 'This end as written: a date, .. (open) or empty (unknown)' }),
      open: z.optional(meta(z.literal(true), { description: 'An open end (..): as the end, ongoing' })),
      unknown: z.optional(meta(z.literal(true), { description: 'An end not known (written empty)' })),
      earliest: z.optional(day('A known end: its first day (inclusive)', '2024-06-01')),
      latest: z.optional(day('A known end: its last day (inclusive)', '2024-06-30')),
      precision: z.optional(z.enum(['day', 'month', 'year', 'decade', 'century'])),
      qualifier: qualifierSchema(),
    }),
    { example: { date: '2024-06', earliest: '2024-06-01', latest: '2024-06-30', precision: 'month' } },
  ),
);

export const eventSchema = lazy(() =>
  named(
    'Event',
    z.extend(eventInputSchema(), {
      id: meta(z.string(), { example: '01J1Z8Q4Y6V3W2X1A0B9C8D7E6' }),
      actors: z.array(actorSchema()),
      earliest: day(
        'First day the date can mean (inclusive); 0001-01-01 for an interval with an open or unknown start',
        '2024-06-01',
      ),
      latest: day(
        'Last day the date can mean (inclusive); 9999-12-31 for an interval with an open or unknown end',
        '2024-06-30',
      ),
      precision: precisionSchema(),
      qualifier: meta(qualifierSchema(), {
        description:
          "A single date's qualifier; for an interval, what its ends' qualifiers add up to (start and end say which)",
      }),
      start: z.optional(dateEndSchema()),
      end: z.optional(dateEndSchema()),
      createdAt: z.string(),
      updatedAt: z.string(),
      version: z.int(),
    }),
  ),
);

export const eventPageSchema = lazy(() =>
  named('EventPage', z.object({ items: z.array(eventSchema()), nextCursor: z.nullable(z.string()) })),
);

/**
 * A query parameter that may repeat: `?tag=a&tag=b` arrives as an array, `?tag=a` as a string
 * (see readQuery in route.ts); either way the handler gets an array. Documented as an array.
 */
const repeatable = (description: string, items: Record<string, unknown> = { type: 'string' }) =>
  meta(
    z.pipe(
      z.optional(z.union([z.string(), z.array(z.string())])),
      z.transform((value) => (value === undefined ? [] : Array.isArray(value) ? value : [value])),
    ),
    { description, type: 'array', items },
  );

/**
 * A whole-number query parameter, written in decimal digits only: `0x10`, `1e1`, `+5`, `5.0`,
 * ` 5` and the empty string are refused (Number() would take them). Documented as the integer it is.
 */
export const queryInteger = (min: number, max: number, fallback: number) =>
  meta(
    z._default(
      z.pipe(
        z.string().check(
          z.refine((value) => /^[0-9]{1,9}$/.test(value) && Number(value) >= min && Number(value) <= max, {
            message: `must be a whole number from ${min} to ${max}, in decimal digits`,
          }),
        ),
        z.transform(Number),
      ),
      fallback,
    ),
    { type: 'integer', minimum: min, maximum: max },
  );

const optionalString = (max: number, metadata: { description?: string; example?: string }) =>
  meta(z.optional(z.string().check(z.maxLength(max))), metadata);

export const timelineQuerySchema = lazy(() =>
  z.object({
    from: meta(z.optional(z.string()), {
      description:
        'Partial date (YYYY, YYYY-MM, YYYY-MM-DD, or with unspecified digits such as 201X): events whose days meet from..to. An open or unknown end reaches every later (or, for a start, earlier) day.',
      example: '2024-06',
      pattern: EDTF_BOUNDARY_PATTERN,
    }),
    to: meta(z.optional(z.string()), { example: '2024-06-30', pattern: EDTF_BOUNDARY_PATTERN }),
    // The route refuses an unknown kind (400); the document lists the kinds it knows.
    kind: repeatable('Event kind (repeatable, OR)', { type: 'string', enum: eventKinds }),
    actor: repeatable('Actor: ISO country code or organisation/person name (repeatable, OR)'),
    tag: repeatable('Tag (repeatable, OR)'),
    q: optionalString(200, { description: 'Text to find in title or summary' }),
    order: z._default(z.enum(['asc', 'desc']), 'asc'),
    limit: queryInteger(1, 200, 50),
    cursor: optionalString(2000, { description: 'Opaque cursor from a previous page' }),
  }),
);

export const problemSchema = lazy(() =>
  named(
    'Problem',
    z.object({
      type: z.string(),
      title: z.string(),
      status: z.int(),
      detail: z.optional(z.string()),
      instance: z.optional(z.string()),
      errors: z.optional(z.array(z.object({ path: z.string(), message: z.string() }))),
    }),
  ),
);

export const idParamSchema = lazy(() =>
  z.object({
    id: meta(z.string().check(z.regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, { message: 'is not an event id' })), {
      example: '01J1Z8Q4Y6V3W2X1A0B9C8D7E6',
    }),
  }),
);

/** A location as a merge patch changes it: field by field, null removing an optional one. */
const locationPatchSchema = lazy(() => {
  const { name, country, lat, lon } = locationSchema().shape;
  return named(
    'LocationPatch',
    z.strictObject({
      name: z.optional(name),
      country: z.optional(z.nullable(country.def.innerType)),
      lat: z.optional(z.nullable(lat.def.innerType)),
      lon: z.optional(z.nullable(lon.def.innerType)),
    }),
    { description: "Merged into the event's location; an event without one needs a name" },
  );
});

/**
 * A merge patch of an event (RFC 7396): any editable field; null removes an optional one (location;
 * summary, actors and tags fall back to their defaults). Each field is checked here, then the
 * merged event in full. The document lists the fields; a field that cannot be changed is refused
 * by name.
 */
export const eventPatchSchema = lazy(() => {
  const editable = new Set(Object.keys(eventInputSchema().shape));
  const removable = <T extends z.core.$ZodType>(schema: T) => z.optional(z.nullable(schema));
  return named(
    'EventPatch',
    z
      .looseObject({
        kind: z.optional(z.enum(eventKinds)),
        title: z.optional(text(1, 300)),
        summary: removable(summaryText()),
        date: z.optional(eventDateSchema()),
        location: removable(locationPatchSchema()),
        actors: removable(actorList()),
        tags: removable(tagList()),
        sources: z.optional(sourceList()),
      })
      .check(
        z.superRefine((patch, ctx) => {
          for (const key of Object.keys(patch)) {
            if (!editable.has(key))
              ctx.addIssue({ code: 'custom', path: [key], message: `${key} cannot be changed` });
          }
        }),
      ),
    { additionalProperties: false, example: { date: '2024-06-19', tags: ['russia-dprk-pact'] } },
  );
});
