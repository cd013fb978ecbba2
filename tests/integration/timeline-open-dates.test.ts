import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  compareTimeline,
  EDTF_BOUNDARY_PATTERN,
  EDTF_DATE_PATTERN,
  overlapsRange,
  parseEventDate,
  parseRangeBoundary,
} from '../../shared/domain/dates.ts';
import type { TimelineEvent } from '../../shared/domain/event.ts';
import { EventRepository } from '../../shared/store/event-repository.ts';
import { eventInput } from '../fixtures/events.ts';
import {
  allPages,
  bearer,
  eventsPath,
  jsonRequest,
  type ProblemBody,
  startTestStack,
  type TestStack,
} from '../support/test-app.ts';

/**
 * Open and unknown ends, unspecified digits and per-end qualifiers through the whole timeline:
 * written over HTTP, stored, served with each end as written, and found by every range they meet.
 */

const DATES = [
  '2022-02-24/..',
  '2024-06/..',
  '2024-06~/..',
  '2024-06/',
  '../2019-12',
  '/2024-06-20',
  '../2024',
  '201X',
  '202X',
  '20XX',
  '199X?',
  '2024-XX',
  '2024-06-XX',
  '2024?/2025~',
  '2024/2024-06',
  '2024-06/2024-06-29',
  '2024-06-30/2024-06',
  '201X/2024-06',
  '2024-06-15',
  '2024-06',
  '2023',
  '2019-12-31',
  '2025-01-01/..',
];

let stack: TestStack;
const created = new Map<string, TimelineEvent>();

const post = (body: unknown) =>
  Promise.resolve(stack.app.request('/v1/events', jsonRequest('POST', body, bearer(stack.writerKey))));

beforeAll(async () => {
  stack = await startTestStack();
  for (const date of DATES) {
    const response = await post(eventInput({ title: `Event dated ${date}`, date }));
    if (response.status !== 201) throw new Error(`${date}: ${response.status} ${await response.text()}`);
    created.set(date, (await response.json()) as TimelineEvent);
  }
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

async function getEvent(id: string): Promise<TimelineEvent> {
  const response = await stack.app.request(`/v1/events/${id}`);
  expect(response.status).toBe(200);
  return (await response.json()) as TimelineEvent;
}

describe('writing and reading open ends, unspecified digits and per-end qualifiers', () => {
  it('serves an ongoing interval with its ends as written and its days to 9999-12-31', async () => {
    const event = await getEvent(created.get('2024-06/..')!.id);
    expect(event).toMatchObject({
      date: '2024-06/..',
      earliest: '2024-06-01',
      latest: '9999-12-31',
      precision: 'interval',
      start: { date: '2024-06', earliest: '2024-06-01', latest: '2024-06-30', precision: 'month' },
      end: { date: '..', open: true },
    });
  });

  it('serves an end not known as unknown', async () => {
    expect((await getEvent(created.get('2024-06/')!.id)).end).toEqual({ date: '', unknown: true });
  });

  it('serves a decade with decade precision and a century with century precision', async () => {
    expect(await getEvent(created.get('201X')!.id)).toMatchObject({
      earliest: '2010-01-01',
      latest: '2019-12-31',
      precision: 'decade',
    });
    expect((await getEvent(created.get('20XX')!.id)).precision).toBe('century');
  });

  it('keeps each end’s qualifier: 2024?/2025~ has an uncertain start and an approximate end', async () => {
    expect(await getEvent(created.get('2024?/2025~')!.id)).toMatchObject({
      qualifier: 'approximate-uncertain',
      start: { qualifier: 'uncertain' },
      end: { qualifier: 'approximate' },
    });
  });

  it('stores a date written with surrounding spaces as the pattern writes it', async () => {
    const response = await post(eventInput({ title: 'Padded', date: ' 2024-06/.. ' }));
    expect(response.status).toBe(201);
    const event = (await response.json()) as TimelineEvent;
    expect(event.date).toBe('2024-06/..');
    expect(new RegExp(EDTF_DATE_PATTERN).test((await getEvent(event.id)).date)).toBe(true);
    await stack.app.request(`/v1/events/${event.id}`, { method: 'DELETE', headers: bearer(stack.writerKey) });
  });

  it('accepts 2024-06/2024-06-29 (the start may run past the end: only what cannot be is refused)', () => {
    expect(created.get('2024-06/2024-06-29')).toMatchObject({ earliest: '2024-06-01', latest: '2024-06-29' });
  });

  it.each([
    ['2024-06/2024-05-31', 'ends before it starts'],
    ['../..', 'has neither a start nor an end'],
    ['2024-XX-15', 'unspecified digits (X) run from the right'],
    ['..', 'is an open end of an interval, not a date'],
  ])('refuses %s with 400 naming body.date', async (date, words) => {
    const response = await post(eventInput({ date }));
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = (await response.json()) as ProblemBody;
    expect(problem.errors?.[0]?.path).toBe('body.date');
    expect(problem.errors?.[0]?.message).toContain(words);
  });

  it('changes a date from ongoing to closed, leaving no end of the earlier date behind', async () => {
    const first = created.get('2025-01-01/..')!;
    const patched = await stack.app.request(`/v1/events/${first.id}`, {
      method: 'PATCH',
      headers: {
        'content-type': 'application/merge-patch+json',
        'if-match': `"v${first.version}"`,
        ...bearer(stack.writerKey),
      },
      body: JSON.stringify({ date: '2025-01-01' }),
    });
    expect(patched.status).toBe(200);
    const event = await getEvent(first.id);
    expect(event).toMatchObject({ precision: 'day', latest: '2025-01-01' });
    expect(event).not.toHaveProperty('start');
    expect(event).not.toHaveProperty('end');
    created.set('2025-01-01', event);
    created.delete('2025-01-01/..');
  });
});

describe('ranges over open ends and unspecified digits', () => {
  const ranges: [string | undefined, string | undefined][] = [
    ['2024-06', '2024-06'],
    ['2024-07-01', undefined],
    [undefined, '2019'],
    ['2030', '2040'],
    ['201X', '201X'],
    ['2019-12-31', '2020-01-01'],
    ['0001', '0500'],
    ['9999-12-31', undefined],
    [undefined, undefined],
  ];

  /** Every event checked against the range, in timeline order. */
  function bruteForce(from: string | undefined, to: string | undefined, order: 'asc' | 'desc'): string[] {
    const f = from === undefined ? undefined : parseRangeBoundary(from, 'from');
    const t = to === undefined ? undefined : parseRangeBoundary(to, 'to');
    const matching = [...created.values()].filter((e) => overlapsRange(e, f, t)).sort(compareTimeline);
    return (order === 'desc' ? matching.reverse() : matching).map((event) => event.date);
  }

  for (const [from, to] of ranges) {
    for (const order of ['asc', 'desc'] as const) {
      it(`lists from=${from ?? '-'} to=${to ?? '-'} (${order}) as a brute-force filter does, 3 a page`, async () => {
        const pages = await allPages(stack.app, eventsPath({ from, to, order, limit: 3 }));
        const listed = pages.flatMap((page) => page.items.map((event) => event.date));
        expect(listed).toEqual(bruteForce(from, to, order));
      });
    }
  }

  it('finds an ongoing interval in any later range, however far', async () => {
    const pages = await allPages(stack.app, eventsPath({ from: '5000', to: '5000' }));
    const dates = pages.flatMap((page) => page.items.map((event) => event.date));
    expect(dates).toEqual(expect.arrayContaining(['2022-02-24/..', '2024-06/..', '2024-06/']));
    expect(dates).not.toContain('../2024');
  });
});

describe('an interval stored before its ends were kept', () => {
  // As the previous version stored 2024?/2025~: no start or end, and the start's qualifier for both.
  const legacy = (): TimelineEvent => {
    const { start: _s, end: _e, ...resolved } = parseEventDate('2024?/2025~');
    return {
      ...eventInput({ title: 'Stored before', date: '2024?/2025~', tags: ['stored-before'] }),
      ...resolved,
      qualifier: 'uncertain',
      id: '01J1Z8Q4Y6V3W2X1A0B9C8D7E6',
      createdAt: '2024-06-28T22:45:00.000Z',
      updatedAt: '2024-06-28T22:45:00.000Z',
      version: 1,
    };
  };

  beforeAll(async () => {
    await new EventRepository(stack.table).create(legacy());
  });

  it('is served with its ends derived from the date as written', async () => {
    expect(await getEvent(legacy().id)).toMatchObject({
      qualifier: 'approximate-uncertain',
      start: { date: '2024?', qualifier: 'uncertain' },
      end: { date: '2025~', qualifier: 'approximate' },
    });
  });

  it('is listed the same way', async () => {
    const [page] = await allPages(stack.app, eventsPath({ tag: 'stored-before' }));
    expect(page?.items[0]).toMatchObject({
      start: { qualifier: 'uncertain' },
      end: { qualifier: 'approximate' },
    });
  });

  it('can be changed, and is then listed once under its range', async () => {
    const response = await stack.app.request(`/v1/events/${legacy().id}`, {
      method: 'PATCH',
      headers: {
        'content-type': 'application/merge-patch+json',
        'if-match': '"v1"',
        ...bearer(stack.writerKey),
      },
      body: JSON.stringify({ title: 'Stored before, retitled' }),
    });
    expect(response.status).toBe(200);
    const pages = await allPages(stack.app, eventsPath({ tag: 'stored-before', from: '2025-06' }));
    expect(pages.flatMap((page) => page.items.map((event) => event.title))).toEqual([
      'Stored before, retitled',
    ]);
  });
});

describe('the OpenAPI document', () => {
  it('gives the event date the grammar as its pattern, and the precisions it can have', async () => {
    const document = (await (await stack.app.request('/openapi.json')).json()) as {
      components: { schemas: Record<string, { properties: Record<string, Record<string, unknown>> }> };
    };
    const { EventInput, Event, EventDateEnd } = document.components.schemas;
    expect(EventInput?.properties.date?.pattern).toBe(EDTF_DATE_PATTERN);
    expect(Event?.properties.precision?.enum).toEqual([
      'day',
      'month',
      'year',
      'decade',
      'century',
      'interval',
    ]);
    expect(Object.keys(EventDateEnd?.properties ?? {})).toEqual(
      expect.arrayContaining(['date', 'open', 'unknown', 'earliest', 'latest', 'precision', 'qualifier']),
    );
  });

  it('gives from and to the grammar of a boundary', async () => {
    const document = (await (await stack.app.request('/openapi.json')).json()) as {
      paths: Record<string, { get?: { parameters?: { name: string; schema: { pattern?: string } }[] } }>;
    };
    const parameters = document.paths['/v1/events']?.get?.parameters ?? [];
    for (const name of ['from', 'to']) {
      expect(parameters.find((p) => p.name === name)?.schema.pattern).toBe(EDTF_BOUNDARY_PATTERN);
    }
  });

  it('refuses a boundary the pattern refuses, and accepts one it matches', async () => {
    expect(new RegExp(EDTF_BOUNDARY_PATTERN).test('201X')).toBe(true);
    expect((await stack.app.request(eventsPath({ from: '201X' }))).status).toBe(200);
    expect((await stack.app.request(eventsPath({ from: '2024/..' }))).status).toBe(400);
  });
});
