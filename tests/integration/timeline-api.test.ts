import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { overlapsRange, parseEventDate } from '../../shared/domain/dates.ts';
import type { EventInput, EventKind, TimelineEvent } from '../../shared/domain/event.ts';
import { eventInput, organisation, person, state } from '../fixtures/events.ts';
import { allPages, eventsPath, getPage, startTestStack, type TestStack } from '../support/test-app.ts';

const { location: _noLocation, ...base } = eventInput();

/** One timeline entry: summary is the title, no location, actors and tags only when given. */
const entry = (
  title: string,
  kind: EventKind,
  date: string,
  extra: Partial<EventInput> = {},
): EventInput => ({
  ...base,
  title,
  kind,
  date,
  summary: `${title}.`,
  actors: [],
  tags: [],
  ...extra,
});

/** A small timeline with every kind of date, named by title so expectations read as lists of titles. */
const TIMELINE: EventInput[] = [
  entry('Pact signed', 'pact-signing', '2024-06-19', {
    actors: [state('RU'), state('KP'), person('Vladimir Putin')],
    tags: ['russia-dprk-pact'],
  }),
  entry('Council meets', 'council-meeting', '2024-06-28', {
    actors: [state('US'), state('GB'), state('FR'), state('RU')],
    tags: ['arms-embargo', 'un-security-council'],
  }),
  entry('Debris found', 'missile-finding', '2024-01', {
    summary: 'Hwasong-11 debris identified in Kharkiv.',
    actors: [state('KP'), state('UA')],
    tags: ['hwasong-11', 'arms-embargo'],
  }),
  entry('Missiles fired mid-June', 'missile-launch', '2024-06-10/2024-06-20', {
    actors: [state('RU'), state('KP'), state('UA')],
    tags: ['ballistic-missiles'],
  }),
  entry('Draft resolution', 'resolution', '2019-12'),
  entry('Invasion', 'military-action', '2022-02-24', { actors: [state('RU')] }),
  entry('Panel report', 'sanctions-report', '2024', {
    actors: [organisation('UN Panel of Experts')],
    tags: ['dprk-sanctions'],
  }),
  entry('Winter statements', 'statement', '2023-11-15/2024-02-15'),
  entry('Four-year talks', 'statement', '2020-03/2024-03'),
  entry('Launch on the 1st', 'missile-launch', '2024-06-01', { actors: [state('KP')] }),
  entry('Launch on the 15th', 'missile-launch', '2024-06-15~', { actors: [state('KP')] }),
  entry('July statement', 'statement', '2024-07-01'),
  entry('June statements', 'statement', '2024-06'),
  entry('Four decades', 'other', '1990/2030'),
];

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
  for (const input of TIMELINE) await stack.events.create(input);
});

afterAll(async () => {
  await stack?.close();
});

const titles = (events: TimelineEvent[]) => events.map((event) => event.title);

async function list(params: Parameters<typeof eventsPath>[0]): Promise<string[]> {
  return titles((await getPage(stack.app, eventsPath({ limit: 200, ...params }))).items);
}

/** The titles a from/to filter must list, in timeline order, by checking every input. */
function expectedInRange(from?: string, to?: string): string[] {
  return TIMELINE.map((input) => ({ input, resolved: parseEventDate(input.date) }))
    .filter(({ resolved }) => overlapsRange(resolved, from, to))
    .sort((a, b) => {
      const [x, y] = [a.resolved, b.resolved];
      if (x.earliest !== y.earliest) return x.earliest < y.earliest ? -1 : 1;
      return Date.parse(x.latest) - Date.parse(y.latest);
    })
    .map(({ input }) => input.title);
}

describe('GET /v1/events', () => {
  it('lists the whole timeline in order: by earliest day, then narrower first', async () => {
    expect(await list({})).toEqual([
      'Four decades',
      'Draft resolution',
      'Four-year talks',
      'Invasion',
      'Winter statements',
      'Debris found',
      'Panel report',
      'Launch on the 1st',
      'June statements',
      'Missiles fired mid-June',
      'Launch on the 15th',
      'Pact signed',
      'Council meets',
      'July statement',
    ]);
  });

  it('serves each event with its date as written, resolved bounds and precision', async () => {
    const page = await getPage(stack.app, eventsPath({ limit: 200 }));
    const mid = page.items.find((event) => event.title === 'Missiles fired mid-June');
    expect(mid).toMatchObject({
      date: '2024-06-10/2024-06-20',
      earliest: '2024-06-10',
      latest: '2024-06-20',
      precision: 'interval',
      version: 1,
    });
    expect(mid?.sources[0]?.publisher).toBe('ICARO Media Group');
  });

  it('serves a qualified date with its qualifier', async () => {
    const page = await getPage(stack.app, eventsPath({ limit: 200 }));
    expect(page.items.find((event) => event.title === 'Launch on the 15th')).toMatchObject({
      date: '2024-06-15~',
      qualifier: 'approximate',
      precision: 'day',
    });
  });

  it('answers an empty page with a null cursor when nothing matches', async () => {
    expect(await getPage(stack.app, eventsPath({ from: '2031' }))).toEqual({ items: [], nextCursor: null });
  });

  describe('from/to (overlap)', () => {
    it('includes an interval that starts before from and ends after it', async () => {
      expect(await list({ from: '2024-06-15' })).toContain('Missiles fired mid-June');
    });

    it('includes a month that straddles from', async () => {
      expect(await list({ from: '2024-06-15' })).toContain('June statements');
    });

    it('includes a year that straddles from', async () => {
      expect(await list({ from: '2024-06-15' })).toContain('Panel report');
    });

    it('includes a decades-long interval that straddles from', async () => {
      expect(await list({ from: '2024-06-15' })).toContain('Four decades');
    });

    it('excludes events that ended before from', async () => {
      const listed = await list({ from: '2024-06-15' });
      expect(listed).not.toContain('Debris found');
      expect(listed).not.toContain('Launch on the 1st');
      expect(listed).not.toContain('Four-year talks');
    });

    it('lists exactly the overlapping events, straddlers first, for a from in mid-June', async () => {
      expect(await list({ from: '2024-06-15' })).toEqual(expectedInRange('2024-06-15'));
    });

    it('lists exactly the events overlapping 15–18 June', async () => {
      expect(await list({ from: '2024-06-15', to: '2024-06-18' })).toEqual([
        'Four decades',
        'Panel report',
        'June statements',
        'Missiles fired mid-June',
        'Launch on the 15th',
      ]);
    });

    it('reads a month as from its first day and to its last day', async () => {
      expect(await list({ from: '2024-01', to: '2024-01' })).toEqual(
        expectedInRange('2024-01-01', '2024-01-31'),
      );
    });

    it('includes month and interval straddlers of a from on the 1st of a month', async () => {
      expect(await list({ from: '2024-02-01', to: '2024-02-29' })).toEqual([
        'Four decades',
        'Four-year talks',
        'Winter statements',
        'Panel report',
      ]);
    });

    it('reads a year as 1 January to 31 December', async () => {
      expect(await list({ from: '2022', to: '2022' })).toEqual([
        'Four decades',
        'Four-year talks',
        'Invasion',
      ]);
    });

    it('lists only events that begin by to', async () => {
      expect(await list({ to: '2019-12-31' })).toEqual(['Four decades', 'Draft resolution']);
    });

    it.each([
      ['2020-01-01', undefined],
      ['2023-12-15', '2024-01-15'],
      ['2024-06-20', '2024-06-20'],
      ['2024-06-21', '2024-06-27'],
      ['2024-12-31', undefined],
      [undefined, '2024-06-10'],
    ])('agrees with a check of every event for from=%s to=%s', async (from, to) => {
      expect(await list({ from, to })).toEqual(expectedInRange(from, to));
    });
  });

  describe('kind, actor and tag (OR within, AND across)', () => {
    it('filters by one kind', async () => {
      expect(await list({ kind: 'pact-signing' })).toEqual(['Pact signed']);
    });

    it('lists either kind when kind is repeated', async () => {
      expect(await list({ kind: ['pact-signing', 'missile-launch'] })).toEqual([
        'Launch on the 1st',
        'Missiles fired mid-June',
        'Launch on the 15th',
        'Pact signed',
      ]);
    });

    it('filters by a state actor, whatever its case', async () => {
      expect(await list({ actor: 'gb' })).toEqual(['Council meets']);
    });

    it('lists either actor when actor is repeated', async () => {
      expect(await list({ actor: ['GB', 'UA'] })).toEqual([
        'Debris found',
        'Missiles fired mid-June',
        'Council meets',
      ]);
    });

    it('lists an event that names both repeated actors only once', async () => {
      expect(await list({ actor: ['RU', 'KP'] })).toEqual([
        'Invasion',
        'Debris found',
        'Launch on the 1st',
        'Missiles fired mid-June',
        'Launch on the 15th',
        'Pact signed',
        'Council meets',
      ]);
    });

    it('filters by an organisation by its name, ignoring case and spacing', async () => {
      expect(await list({ actor: 'un  panel of EXPERTS' })).toEqual(['Panel report']);
    });

    it('filters by a person by name', async () => {
      expect(await list({ actor: 'Vladimir Putin' })).toEqual(['Pact signed']);
    });

    it('filters by a tag', async () => {
      expect(await list({ tag: 'arms-embargo' })).toEqual(['Debris found', 'Council meets']);
    });

    it('lists either tag when tag is repeated', async () => {
      expect(await list({ tag: ['russia-dprk-pact', 'dprk-sanctions'] })).toEqual([
        'Panel report',
        'Pact signed',
      ]);
    });

    it('needs every named filter to match (kind AND actor)', async () => {
      expect(await list({ kind: 'missile-launch', actor: 'UA' })).toEqual(['Missiles fired mid-June']);
    });

    it('needs every named filter to match (tag AND kind AND date)', async () => {
      expect(await list({ tag: 'arms-embargo', kind: 'council-meeting', from: '2024-06' })).toEqual([
        'Council meets',
      ]);
    });

    it('lists nothing when the filters share no event', async () => {
      expect(await list({ kind: 'resolution', actor: 'KP' })).toEqual([]);
    });
  });

  describe('q', () => {
    it('finds text in the summary, ignoring case', async () => {
      expect(await list({ q: 'KHARKIV' })).toEqual(['Debris found']);
    });

    it('finds text in the title', async () => {
      expect(await list({ q: 'mid-june' })).toEqual(['Missiles fired mid-June']);
    });

    it('combines with the other filters', async () => {
      expect(await list({ q: 'statement', from: '2024-06-20' })).toEqual([
        'June statements',
        'July statement',
      ]);
    });
  });

  describe('order and limit', () => {
    it('lists newest first with order=desc', async () => {
      expect(await list({ order: 'desc' })).toEqual((await list({})).reverse());
    });

    it('lists a range newest first with its straddlers last', async () => {
      expect(await list({ from: '2024-06-15', order: 'desc' })).toEqual(
        expectedInRange('2024-06-15').reverse(),
      );
    });

    it('returns at most limit items and a cursor when there are more', async () => {
      const page = await getPage(stack.app, eventsPath({ limit: 2 }));
      expect(titles(page.items)).toEqual(['Four decades', 'Draft resolution']);
      expect(page.nextCursor).toEqual(expect.any(String));
    });

    it('returns a null cursor on the last page', async () => {
      expect((await getPage(stack.app, eventsPath({ limit: 200 }))).nextCursor).toBeNull();
    });

    it('defaults to 50 items', async () => {
      expect((await getPage(stack.app, eventsPath())).items).toHaveLength(TIMELINE.length);
    });
  });

  describe('pagination', () => {
    const cases: [string, Parameters<typeof eventsPath>[0]][] = [
      ['the whole timeline', {}],
      ['the whole timeline, newest first', { order: 'desc' }],
      ['a range with straddlers', { from: '2024-06-15' }],
      ['a range with straddlers, newest first', { from: '2024-06-15', order: 'desc' }],
      ['a bounded range', { from: '2024-02-01', to: '2024-06-30' }],
      ['two actors sharing events', { actor: ['RU', 'KP'] }],
      ['two actors sharing events, newest first', { actor: ['RU', 'KP'], order: 'desc' }],
      ['two kinds with a range', { kind: ['statement', 'missile-launch'], from: '2024-01-15' }],
      ['a residual text filter', { q: 'statement' }],
    ];

    for (const [name, params] of cases) {
      for (const limit of [1, 2, 3]) {
        it(`walks ${name} ${limit} at a time with no duplicates and no gaps`, async () => {
          const expected = await list(params);
          const pages = await allPages(stack.app, eventsPath({ ...params, limit }));
          const walked = pages.flatMap((page) => titles(page.items));
          expect(walked).toEqual(expected);
          for (const page of pages) expect(page.items.length).toBeLessThanOrEqual(limit);
        });
      }
    }

    it('accepts a different limit with a cursor (the cursor remembers the query, not the page size)', async () => {
      const first = await getPage(stack.app, eventsPath({ limit: 2 }));
      const rest = await getPage(stack.app, `${eventsPath({ limit: 200 })}&cursor=${first.nextCursor}`);
      expect([...titles(first.items), ...titles(rest.items)]).toEqual(await list({}));
    });

    it('accepts a cursor with the repeated filters given in another order', async () => {
      const first = await getPage(stack.app, eventsPath({ kind: ['statement', 'missile-launch'], limit: 1 }));
      const second = await stack.app.request(
        `${eventsPath({ kind: ['missile-launch', 'statement'], limit: 1 })}&cursor=${first.nextCursor}`,
      );
      expect(second.status).toBe(200);
    });
  });
});

describe('GET /v1/events/{id}', () => {
  async function someEvent(): Promise<TimelineEvent> {
    const page = await getPage(stack.app, eventsPath({ kind: 'pact-signing' }));
    return page.items[0]!;
  }

  it('answers the event with its ETag', async () => {
    const event = await someEvent();
    const response = await stack.app.request(`/v1/events/${event.id}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).toBe('"v1"');
    expect(await response.json()).toEqual(event);
  });

  it('answers 304 without a body to If-None-Match with the current ETag', async () => {
    const event = await someEvent();
    const response = await stack.app.request(`/v1/events/${event.id}`, {
      headers: { 'if-none-match': '"v1"' },
    });
    expect(response.status).toBe(304);
    expect(response.headers.get('etag')).toBe('"v1"');
    expect(await response.text()).toBe('');
  });

  it('answers 304 to a weak form of the current ETag', async () => {
    const event = await someEvent();
    const response = await stack.app.request(`/v1/events/${event.id}`, {
      headers: { 'if-none-match': '"v7", W/"v1"' },
    });
    expect(response.status).toBe(304);
  });

  it('answers 200 to If-None-Match with another ETag', async () => {
    const event = await someEvent();
    const response = await stack.app.request(`/v1/events/${event.id}`, {
      headers: { 'if-none-match': '"v2"' },
    });
    expect(response.status).toBe(200);
  });
});

describe('service routes', () => {
  it('answers /healthz', async () => {
    const response = await stack.app.request('/healthz');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('serves an OpenAPI 3.1 document that lists every API route', async () => {
    const response = await stack.app.request('/openapi.json');
    expect(response.status).toBe(200);
    const document = (await response.json()) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
    };
    expect(document.openapi).toMatch(/^3\.1\./);
    const routes = new Set(
      stack.app.routes
        .filter((route) => route.method !== 'ALL' && route.path.startsWith('/v1/'))
        .map((route) => `${route.method.toLowerCase()} ${route.path.replace(/:(\w+)/g, '{$1}')}`),
    );
    const documented = new Set(
      Object.entries(document.paths).flatMap(([path, operations]) =>
        Object.keys(operations).map((method) => `${method} ${path}`),
      ),
    );
    expect(routes.size).toBeGreaterThan(0);
    expect([...routes].filter((route) => !documented.has(route))).toEqual([]);
  });

  it('documents the timeline, one event and the key routes', async () => {
    const document = (await (await stack.app.request('/openapi.json')).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    expect(Object.keys(document.paths['/v1/events'] ?? {}).sort()).toEqual(['get', 'post']);
    expect(Object.keys(document.paths['/v1/events/{id}'] ?? {}).sort()).toEqual(['delete', 'get', 'patch']);
    expect(Object.keys(document.paths['/v1/keys'] ?? {})).toEqual(['post']);
  });

  it('serves an HTML docs page that loads the OpenAPI document', async () => {
    const response = await stack.app.request('/docs');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await response.text()).toContain('/openapi.json');
  });
});
