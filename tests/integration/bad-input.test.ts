import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TimelineEvent } from '../../shared/domain/event.ts';
import { eventInput, icaroSource } from '../fixtures/events.ts';
import {
  bearer,
  countEvents,
  eventsPath,
  getPage,
  jsonRequest,
  type ProblemBody,
  startTestStack,
  type TestStack,
} from '../support/test-app.ts';

let stack: TestStack;
/** An existing event that PATCH and DELETE cases aim at; it must come through every case unchanged. */
let target: TimelineEvent;
/** A valid cursor of `?limit=1` (the timeline has several events). */
let cursor: string;

const UNKNOWN_ID = '01J1Z8Q4Y6V3W2X1A0B9C8D7E6';

beforeAll(async () => {
  stack = await startTestStack();
  target = (await stack.events.create(eventInput({ title: 'Target' }))).event;
  await stack.events.create(eventInput({ title: 'Second', date: '2024-06-16' }));
  await stack.events.create(eventInput({ title: 'Third', date: '2024-06-17' }));
  cursor = (await getPage(stack.app, eventsPath({ limit: 1 }))).nextCursor!;
});

afterAll(async () => {
  await stack?.close();
});

const valid = () => eventInput();
const withField = (field: string, value: unknown) => ({ ...valid(), [field]: value });
const withoutField = (field: string) =>
  Object.fromEntries(Object.entries(valid()).filter(([k]) => k !== field));

/** Replaces one character in the middle of a string with a different one. */
function flipOneCharacter(text: string, at = Math.floor(text.length / 3)): string {
  const replacement = text[at] === 'A' ? 'B' : 'A';
  return `${text.slice(0, at)}${replacement}${text.slice(at + 1)}`;
}

interface Case {
  name: string;
  status: number;
  send: () => Response | Promise<Response>;
  /** A field error path the problem must name. */
  path?: string;
}

const post =
  (body: unknown, headers: Record<string, string> = {}) =>
  () =>
    stack.app.request('/v1/events', jsonRequest('POST', body, { ...bearer(stack.writerKey), ...headers }));
const postRaw =
  (body: string, contentType = 'application/json') =>
  () =>
    stack.app.request('/v1/events', {
      method: 'POST',
      headers: { 'content-type': contentType, ...bearer(stack.writerKey) },
      body,
    });
const list = (query: string) => () => stack.app.request(`/v1/events?${query}`);
const listWithCursor = (query: string, make: () => string) => () =>
  stack.app.request(`/v1/events?${query}${query ? '&' : ''}cursor=${encodeURIComponent(make())}`);
const patch =
  (body: unknown, headers: Record<string, string> = { 'if-match': '"v1"' }, id?: string) =>
  () =>
    stack.app.request(
      `/v1/events/${id ?? target.id}`,
      jsonRequest('PATCH', body, { ...bearer(stack.writerKey), ...headers }),
    );
const remove =
  (id: string, headers: Record<string, string> = {}) =>
  () =>
    stack.app.request(`/v1/events/${id}`, {
      method: 'DELETE',
      headers: { ...bearer(stack.writerKey), ...headers },
    });

const cases: Case[] = [
  // Bodies that are not an event
  { name: 'POST malformed JSON', status: 400, send: postRaw('{"kind": "statement",') },
  { name: 'POST a JSON array', status: 400, send: postRaw('[]') },
  { name: 'POST a JSON string', status: 400, send: postRaw('"an event"') },
  { name: 'POST JSON null', status: 400, send: postRaw('null') },
  { name: 'POST an empty body', status: 400, send: postRaw('') },
  { name: 'POST text/plain', status: 415, send: postRaw(JSON.stringify(valid()), 'text/plain') },
  { name: 'POST a body over 64 KiB', status: 413, send: post(withField('summary', 'x'.repeat(70_000))) },
  {
    name: 'POST a body over 64 KiB that is not even JSON',
    status: 413,
    send: postRaw(`{${' '.repeat(100_000)}`),
  },
  // Wrong types
  { name: 'POST a numeric title', status: 400, path: 'body.title', send: post(withField('title', 42)) },
  { name: 'POST a blank title', status: 400, path: 'body.title', send: post(withField('title', '   ')) },
  {
    name: 'POST actors as a string',
    status: 400,
    path: 'body.actors',
    send: post(withField('actors', 'RU')),
  },
  { name: 'POST numeric tags', status: 400, path: 'body.tags.0', send: post(withField('tags', [1])) },
  {
    name: 'POST a date as a number',
    status: 400,
    path: 'body.date',
    send: post(withField('date', 20240619)),
  },
  {
    name: 'POST a latitude as text',
    status: 400,
    path: 'body.location.lat',
    send: post(withField('location', { name: 'Kharkiv', lat: 'north' })),
  },
  {
    name: 'POST a latitude out of range',
    status: 400,
    path: 'body.location.lat',
    send: post(withField('location', { name: 'Kharkiv', lat: 91 })),
  },
  // Unknown values
  { name: 'POST an unknown kind', status: 400, path: 'body.kind', send: post(withField('kind', 'coup')) },
  {
    name: 'POST an unknown country code',
    status: 400,
    path: 'body.actors.0.code',
    send: post(withField('actors', [{ type: 'state', code: 'XX' }])),
  },
  {
    name: 'POST a lower-case country code',
    status: 400,
    path: 'body.actors.0.code',
    send: post(withField('actors', [{ type: 'state', code: 'ru' }])),
  },
  {
    name: 'POST an unknown actor type',
    status: 400,
    path: 'body.actors.0.type',
    send: post(withField('actors', [{ type: 'alliance', name: 'NATO' }])),
  },
  {
    name: 'POST an upper-case tag',
    status: 400,
    path: 'body.tags.0',
    send: post(withField('tags', ['Arms'])),
  },
  { name: 'POST a repeated tag', status: 400, path: 'body.tags', send: post(withField('tags', ['a', 'a'])) },
  // Sources
  { name: 'POST without sources', status: 400, path: 'body.sources', send: post(withoutField('sources')) },
  { name: 'POST with no sources', status: 400, path: 'body.sources', send: post(withField('sources', [])) },
  {
    name: 'POST a javascript: source URL',
    status: 400,
    path: 'body.sources.0.url',
    send: post(withField('sources', [icaroSource({ url: 'javascript:alert(1)' })])),
  },
  {
    name: 'POST a source published on 30 February',
    status: 400,
    path: 'body.sources.0.publishedAt',
    send: post(withField('sources', [icaroSource({ publishedAt: '2024-02-30' })])),
  },
  {
    name: 'POST a source published at 25:00',
    status: 400,
    path: 'body.sources.0.publishedAt',
    send: post(withField('sources', [icaroSource({ publishedAt: '2024-06-28T25:00' })])),
  },
  // Unknown fields
  { name: 'POST an unknown field', status: 400, send: post(withField('colour', 'red')) },
  { name: 'POST a server field (id)', status: 400, send: post(withField('id', UNKNOWN_ID)) },
  {
    name: 'POST an unknown source field',
    status: 400,
    send: post(withField('sources', [{ ...icaroSource(), rating: 5 }])),
  },
  // Missing fields
  { name: 'POST without kind', status: 400, path: 'body.kind', send: post(withoutField('kind')) },
  { name: 'POST without date', status: 400, path: 'body.date', send: post(withoutField('date')) },
  // Impossible dates
  ...['2023-02-29', '2024-13', '2024-02-30', '0000', '2024/2023', '../..', '2024-XX-15', 'mid-June'].map(
    (date): Case => ({
      name: `POST the date ${date}`,
      status: 400,
      path: 'body.date',
      send: post(withField('date', date)),
    }),
  ),
  // Headers
  {
    name: 'POST an Idempotency-Key over 255 characters',
    status: 400,
    send: post(valid(), { 'idempotency-key': 'k'.repeat(256) }),
  },
  // Query
  { name: 'GET an unknown kind', status: 400, path: 'query.kind', send: list('kind=coup') },
  { name: 'GET a known and an unknown kind', status: 400, send: list('kind=statement&kind=coup') },
  { name: 'GET limit=0', status: 400, path: 'query.limit', send: list('limit=0') },
  { name: 'GET limit=201', status: 400, path: 'query.limit', send: list('limit=201') },
  { name: 'GET limit=abc', status: 400, path: 'query.limit', send: list('limit=abc') },
  { name: 'GET limit=1.5', status: 400, path: 'query.limit', send: list('limit=1.5') },
  { name: 'GET limit=-1', status: 400, path: 'query.limit', send: list('limit=-1') },
  { name: 'GET order=sideways', status: 400, path: 'query.order', send: list('order=sideways') },
  { name: 'GET from=2024-13', status: 400, send: list('from=2024-13') },
  { name: 'GET to=2024-02-30', status: 400, send: list('to=2024-02-30') },
  { name: 'GET a qualified from', status: 400, send: list('from=2024~') },
  { name: 'GET an interval as from', status: 400, send: list('from=2024/2025') },
  { name: 'GET from after to', status: 400, path: 'query.from', send: list('from=2024-07&to=2024-06') },
  { name: 'GET a q over 200 characters', status: 400, path: 'query.q', send: list(`q=${'a'.repeat(201)}`) },
  // Cursors
  {
    name: 'GET a garbage cursor',
    status: 400,
    path: 'query.cursor',
    send: listWithCursor('', () => 'garbage'),
  },
  {
    name: 'GET a cursor with one character flipped',
    status: 400,
    path: 'query.cursor',
    send: listWithCursor('limit=1', () => flipOneCharacter(cursor)),
  },
  {
    name: 'GET a cursor with its signature flipped',
    status: 400,
    path: 'query.cursor',
    send: listWithCursor('limit=1', () => flipOneCharacter(cursor, cursor.length - 2)),
  },
  {
    name: 'GET a cursor from another query',
    status: 400,
    path: 'query.cursor',
    send: listWithCursor('limit=1&kind=statement', () => cursor),
  },
  {
    name: 'GET a cursor from the same filters in another order',
    status: 400,
    path: 'query.cursor',
    send: listWithCursor('limit=1&order=desc', () => cursor),
  },
  {
    name: 'GET a cursor over 2000 characters',
    status: 400,
    send: listWithCursor('', () => 'a'.repeat(2001)),
  },
  // Ids
  { name: 'GET an unknown id', status: 404, send: () => stack.app.request(`/v1/events/${UNKNOWN_ID}`) },
  {
    name: 'GET a malformed id',
    status: 400,
    path: 'params.id',
    send: () => stack.app.request('/v1/events/42'),
  },
  {
    name: 'GET a lower-case id',
    status: 400,
    path: 'params.id',
    send: () => stack.app.request(`/v1/events/${UNKNOWN_ID.toLowerCase()}`),
  },
  { name: 'GET an unknown route', status: 404, send: () => stack.app.request('/v1/nothing-here') },
  // PATCH
  {
    name: 'PATCH an unknown id',
    status: 404,
    send: patch({ title: 'x' }, { 'if-match': '"v1"' }, UNKNOWN_ID),
  },
  { name: 'PATCH a malformed id', status: 400, send: patch({ title: 'x' }, { 'if-match': '"v1"' }, 'nope') },
  { name: 'PATCH If-Match without quotes', status: 400, send: patch({ title: 'x' }, { 'if-match': 'v1' }) },
  // Well-formed entity tags that do not name the current version fail the precondition (412);
  // If-Match compares strongly, so the weak form of the current ETag fails too.
  {
    name: 'PATCH If-Match that is not a version',
    status: 412,
    send: patch({ title: 'x' }, { 'if-match': '"1"' }),
  },
  {
    name: 'PATCH If-Match with two stale ETags',
    status: 412,
    send: patch({ title: 'x' }, { 'if-match': '"v8", "v9"' }),
  },
  {
    name: 'PATCH If-Match with a list that is not one',
    status: 400,
    send: patch({ title: 'x' }, { 'if-match': '"v1" "v2"' }),
  },
  {
    name: 'PATCH If-Match with a huge version',
    status: 412,
    send: patch({ title: 'x' }, { 'if-match': '"v99999999999"' }),
  },
  { name: 'PATCH a weak If-Match', status: 412, send: patch({ title: 'x' }, { 'if-match': 'W/"v1"' }) },
  { name: 'PATCH If-None-Match *', status: 412, send: patch({ title: 'x' }, { 'if-none-match': '*' }) },
  {
    name: 'PATCH If-None-Match naming the current ETag',
    status: 412,
    send: patch({ title: 'x' }, { 'if-match': '"v1"', 'if-none-match': 'W/"v1"' }),
  },
  { name: 'PATCH without If-Match', status: 428, send: patch({ title: 'x' }, {}) },
  { name: 'PATCH a stale If-Match', status: 412, send: patch({ title: 'x' }, { 'if-match': '"v9"' }) },
  { name: 'PATCH malformed JSON', status: 400, send: patch('{"title":') },
  { name: 'PATCH an array', status: 400, send: patch([{ op: 'replace', path: '/title', value: 'x' }]) },
  { name: 'PATCH an unknown field', status: 400, path: 'body.colour', send: patch({ colour: 'red' }) },
  { name: 'PATCH an impossible date', status: 400, path: 'body.date', send: patch({ date: '2023-02-29' }) },
  { name: 'PATCH an unknown kind', status: 400, path: 'body.kind', send: patch({ kind: 'coup' }) },
  { name: 'PATCH away every source', status: 400, path: 'body.sources', send: patch({ sources: null }) },
  { name: 'PATCH a body over 64 KiB', status: 413, send: patch({ summary: 'x'.repeat(70_000) }) },
  // DELETE
  { name: 'DELETE an unknown id', status: 404, send: remove(UNKNOWN_ID) },
  { name: 'DELETE a malformed id', status: 400, send: remove('nope') },
  { name: 'DELETE with a bad If-Match', status: 400, send: () => remove(target.id, { 'if-match': 'yes' })() },
  {
    name: 'DELETE with a stale If-Match',
    status: 412,
    send: () => remove(target.id, { 'if-match': '"v2"' })(),
  },
  {
    name: 'DELETE with a weak If-Match',
    status: 412,
    send: () => remove(target.id, { 'if-match': 'W/"v1"' })(),
  },
  {
    name: 'DELETE with If-None-Match *',
    status: 412,
    send: () => remove(target.id, { 'if-none-match': '*' })(),
  },
  // Keys
  {
    name: 'POST /v1/keys with an unknown scope',
    status: 400,
    send: () =>
      stack.app.request('/v1/keys', jsonRequest('POST', { scopes: ['root'] }, bearer(stack.adminKey))),
  },
];

describe('bad input', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, testCase) => {
    const before = await countEvents(stack.app);
    const response = await testCase.send();

    expect(response.status).toBe(testCase.status);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    const text = await response.text();
    const problem = JSON.parse(text) as ProblemBody & Record<string, unknown>;
    expect(problem).toMatchObject({
      type: expect.stringMatching(/^\/problems\/[a-z-]+$/),
      title: expect.any(String),
      status: testCase.status,
      detail: expect.any(String),
    });
    if (testCase.path) expect(problem.errors?.map((e) => e.path)).toContain(testCase.path);
    expect(problem).not.toHaveProperty('stack');
    expect(text).not.toMatch(/\.ts:\d+|node_modules|at [\w.<>]+ \(/);

    expect(await countEvents(stack.app)).toBe(before);
    expect(await (await stack.app.request(`/v1/events/${target.id}`)).json()).toEqual(target);
  });

  it('answers every case with a 4xx status', () => {
    for (const testCase of cases) {
      expect(testCase.status).toBeGreaterThanOrEqual(400);
      expect(testCase.status).toBeLessThan(500);
    }
  });
});
