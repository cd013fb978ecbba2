import fc from 'fast-check';

/** Things that exist in the fuzzed app, so generated requests can aim at them (filled as the run goes). */
export interface FuzzPools {
  keys: string[];
  eventIds: string[];
  subscriptions: { id: string; token: string }[];
  deliveryIds: string[];
  cursors: string[];
  validEvent: () => Record<string, unknown>;
}

const pickFrom = <T>(pool: () => T[], fallback: T) =>
  fc.nat().map((i) => {
    const values = pool();
    return values.length === 0 ? fallback : values[i % values.length]!;
  });

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const ulidLike = fc.string({ unit: fc.constantFrom(...CROCKFORD), minLength: 26, maxLength: 26 });
/** Printable ASCII that is legal in a header value. */
const headerText = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  maxLength: 80,
});
const anyText = fc.string({ unit: 'grapheme', maxLength: 60 });
const longText = fc.integer({ min: 200, max: 6000 }).map((n) => 'x'.repeat(n));

const dates = fc.constantFrom(
  '2024',
  '2024-06',
  '2024-06-15',
  '2024-06-15~',
  '2024-06?',
  '2024%',
  '2024-06-10/2024-06-20',
  '2019-12/2020-02',
  '2024-02-30',
  '2024-13',
  '2024-00-10',
  '0000',
  '99999',
  '2024-06-15/2024-06-01',
  '../2024',
  '2024/..',
  '',
  ' 2024-06-15 ',
  '2024-6-5',
  '2024-06-15T10:00',
  'yesterday',
  '2024-06-15~/2024-07?',
);
const kinds = fc.constantFrom(
  'pact-signing',
  'missile-finding',
  'missile-launch',
  'council-meeting',
  'resolution',
  'statement',
  'other',
  'war',
  '',
  'STATEMENT',
);

function idFor(pools: FuzzPools) {
  return fc.oneof(
    { weight: 4, arbitrary: pickFrom(() => pools.eventIds, '01J1Z8Q4Y6V3W2X1A0B9C8D7E6') },
    { weight: 2, arbitrary: ulidLike },
    { weight: 2, arbitrary: anyText.map(encodeURIComponent) },
    { weight: 1, arbitrary: fc.constantFrom('..', '%2e%2e', '%00', '%E0%A4%A', 'null', '-1', ' ') },
  );
}

function subscriptionPath(pools: FuzzPools) {
  return fc
    .tuple(
      fc.oneof(
        {
          weight: 4,
          arbitrary: pickFrom(() => pools.subscriptions.map((s) => s.id), '01J1Z8Q4Y6V3W2X1A0B9C8D7E6'),
        },
        { weight: 1, arbitrary: ulidLike },
        { weight: 1, arbitrary: anyText.map(encodeURIComponent) },
      ),
      fc.constantFrom(
        '',
        '/test',
        '/secret',
        '/deliveries',
        '/deliveries?limit=0',
        '/deliveries?before=nope',
        '/deliveries/RETRY/retry',
        '/deliveries/01J1Z8Q4Y6V3W2X1A0B9C8D7E6/retry',
      ),
    )
    .map(([id, rest]) => `/v1/subscriptions/${id}${rest}`);
}

function query(pools: FuzzPools) {
  const value = fc.oneof(
    dates,
    kinds,
    fc.constantFrom(
      'asc',
      'desc',
      'sideways',
      '0',
      '1',
      '50',
      '200',
      '201',
      '-1',
      '1e3',
      '2.5',
      'abc',
      '',
      'KP',
      'kp',
      'UN Security Council',
      'sanctions',
    ),
    pickFrom(() => pools.cursors, 'abc.def'),
    pickFrom(() => pools.cursors, 'abc.def').map((c) => `${c.slice(0, -2)}xx`),
    anyText,
    longText,
  );
  const key = fc.oneof(
    {
      weight: 6,
      arbitrary: fc.constantFrom(
        'from',
        'to',
        'kind',
        'actor',
        'tag',
        'q',
        'order',
        'limit',
        'cursor',
        'token',
        'before',
      ),
    },
    { weight: 1, arbitrary: anyText },
  );
  return fc.oneof(
    {
      weight: 8,
      arbitrary: fc.array(fc.tuple(key, value), { maxLength: 6 }).map((pairs) => {
        const params = new URLSearchParams(pairs);
        const text = params.toString();
        return text ? `?${text}` : '';
      }),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '?%',
        '?&&=',
        '?limit=%zz',
        '?kind',
        '?=x',
        '?cursor=%E0%A4%A',
        '?limit=50&limit=60',
      ),
    },
  );
}

function path(pools: FuzzPools) {
  return fc.oneof(
    { weight: 6, arbitrary: query(pools).map((q) => `/v1/events${q}`) },
    { weight: 4, arbitrary: idFor(pools).map((id) => `/v1/events/${id}`) },
    { weight: 3, arbitrary: fc.constant('/v1/subscriptions') },
    { weight: 4, arbitrary: subscriptionPath(pools) },
    { weight: 1, arbitrary: query(pools).map((q) => `/v1/subscriptions/confirm${q}`) },
    { weight: 1, arbitrary: query(pools).map((q) => `/v1/unsubscribe${q}`) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '/openapi.json',
        '/docs',
        '/healthz',
        '/v1/keys',
        '/',
        '/v1',
        '/v2/events',
        '/v1/events/',
        '//v1/events',
      ),
    },
    {
      weight: 2,
      arbitrary: fc
        .array(anyText, { minLength: 1, maxLength: 4 })
        .map((parts) => `/${parts.map(encodeURIComponent).join('/')}`),
    },
  );
}

/** URLs a subscription may name: loopback (allowed), names that do not resolve, refused addresses, non-URLs. */
const webhookUrl = fc.constantFrom(
  'http://127.0.0.1:9/hooks',
  'http://localhost:9/hooks',
  'https://hooks.example.invalid/x',
  'http://10.0.0.1/x',
  'http://169.254.169.254/latest',
  'http://[::1]:9/x',
  'ftp://127.0.0.1/x',
  'http://user:pw@127.0.0.1:9/',
  'not a url',
  '',
  'https://[fd00:ec2::254]/',
  'http://0x7f000001:9/',
);

function eventBody(pools: FuzzPools) {
  const mutation = fc.oneof(
    fc.record({
      op: fc.constant('delete' as const),
      key: fc.constantFrom('kind', 'title', 'date', 'sources', 'actors', 'tags', 'summary', 'location'),
    }),
    fc.record({
      op: fc.constant('set' as const),
      key: fc.constantFrom(
        'kind',
        'title',
        'date',
        'sources',
        'actors',
        'tags',
        'summary',
        'location',
        'id',
        'version',
        'extra',
      ),
      value: fc.jsonValue({ maxDepth: 3 }),
    }),
    fc.record({ op: fc.constant('set' as const), key: fc.constant('date'), value: dates }),
    fc.record({ op: fc.constant('set' as const), key: fc.constant('kind'), value: kinds }),
    fc.record({
      op: fc.constant('set' as const),
      key: fc.constant('title'),
      value: fc.oneof(longText, anyText),
    }),
    fc.record({
      op: fc.constant('set' as const),
      key: fc.constant('actors'),
      value: fc.array(
        fc.oneof(
          fc.record({
            type: fc.constantFrom('state', 'organisation', 'person', 'alien'),
            code: fc.constantFrom('KP', 'RU', 'ZZ', 'kp', 'XX', ''),
          }),
          fc.record({ type: fc.constantFrom('organisation', 'person'), name: fc.oneof(anyText, longText) }),
        ),
        { maxLength: 60 },
      ),
    }),
    fc.record({
      op: fc.constant('set' as const),
      key: fc.constant('tags'),
      value: fc.array(fc.oneof(fc.constantFrom('sanctions', 'a', 'Bad Tag', '-x'), anyText), {
        maxLength: 25,
      }),
    }),
    fc.record({
      op: fc.constant('set' as const),
      key: fc.constant('sources'),
      value: fc.array(
        fc.record({
          url: fc.constantFrom('https://example.org/a', 'javascript:alert(1)', 'nope', ''),
          title: anyText,
          publisher: anyText,
          publishedAt: fc.constantFrom(
            '2024-06-28T22:45',
            '2024-02-30',
            '2024-06-28T25:00',
            'x',
            '2024-06-28',
          ),
        }),
        { maxLength: 22 },
      ),
    }),
  );
  return fc.tuple(fc.constant(null), fc.array(mutation, { maxLength: 3 })).map(([, mutations]) => {
    const body: Record<string, unknown> = { ...pools.validEvent() };
    for (const m of mutations) {
      if (m.op === 'delete') delete body[m.key];
      else body[m.key] = m.value;
    }
    return JSON.stringify(body);
  });
}

const subscriptionBody = fc
  .record(
    {
      channel: fc.constantFrom('webhook', 'email', 'sms', undefined),
      url: webhookUrl,
      address: fc.constantFrom('reader@example.org', 'not-an-email', '', 'a@b'),
      filter: fc.option(
        fc.record(
          {
            kinds: fc.array(kinds, { maxLength: 22 }),
            actors: fc.array(fc.oneof(fc.constantFrom('KP', 'ru', 'UN Security Council'), anyText), {
              maxLength: 22,
            }),
            tags: fc.array(anyText, { maxLength: 3 }),
          },
          { requiredKeys: [] },
        ),
      ),
      types: fc.option(
        fc.array(fc.constantFrom('event.created', 'event.updated', 'event.deleted', 'event.exploded'), {
          maxLength: 4,
        }),
      ),
      contactEmail: fc.option(fc.constantFrom('owner@example.org', 'x')),
      status: fc.option(fc.constantFrom('active', 'disabled')),
    },
    { requiredKeys: [] },
  )
  .map((body) => JSON.stringify(body));

function body(pools: FuzzPools) {
  return fc.oneof(
    { weight: 5, arbitrary: eventBody(pools) },
    { weight: 3, arbitrary: subscriptionBody },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)) },
    {
      weight: 1,
      arbitrary: fc
        .record({
          name: anyText,
          scopes: fc.array(fc.constantFrom('admin', 'events:write', 'root'), { maxLength: 4 }),
        })
        .map((v) => JSON.stringify(v)),
    },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 2000 }) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '',
        '{',
        '[]',
        'null',
        '{"kind":',
        '\u0000',
        '[[[[[[[[[[',
        `{"a":${'['.repeat(3000)}`,
      ),
    },
    {
      weight: 1,
      arbitrary: fc
        .integer({ min: 60_000, max: 90_000 })
        .map((n) => JSON.stringify({ title: 'x'.repeat(n) })),
    },
  );
}

function headers(pools: FuzzPools) {
  return fc.record(
    {
      authorization: fc.oneof(
        { weight: 4, arbitrary: pickFrom(() => pools.keys, 'dl_x').map((k) => `Bearer ${k}`) },
        {
          weight: 2,
          arbitrary: pickFrom(() => pools.subscriptions.map((s) => s.token), 'dls_x').map(
            (t) => `Bearer ${t}`,
          ),
        },
        { weight: 1, arbitrary: headerText.map((t) => `Bearer ${t}`) },
        {
          weight: 1,
          arbitrary: fc.constantFrom(
            'Basic YTpi',
            'Bearer',
            'bearer  dl_abcdefabcdef_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
            '',
          ),
        },
      ),
      'content-type': fc.constantFrom(
        'application/json',
        'application/json; charset=utf-8',
        'application/merge-patch+json',
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/problem+json',
        'garbage',
      ),
      'idempotency-key': fc.oneof(
        headerText,
        longText.map((t) => t.slice(0, 300)),
      ),
      'if-match': fc.constantFrom('"v1"', '"v2"', 'W/"v1"', '*', '"v1", "v2"', 'v1', '"v999999999999"', ''),
      'if-none-match': fc.constantFrom('"v1"', '*', 'W/"v1"', 'garbage'),
      'x-request-id': headerText,
      accept: fc.constantFrom('application/json', 'text/html', '*/*'),
    },
    { requiredKeys: [] },
  );
}

const method = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('GET', 'POST', 'PATCH', 'DELETE') },
  { weight: 1, arbitrary: fc.constantFrom('PUT', 'HEAD', 'OPTIONS', 'PURGE', 'get') },
);

type Generated = { path: string; init: RequestInit & { method: string } };

/** Requests as a client of the API would send them (right method, path, key and content type), bodies mostly valid. */
function wellFormed(pools: FuzzPools): fc.Arbitrary<Generated> {
  const admin = pickFrom(() => pools.keys, 'dl_x').map((key) => ({ authorization: `Bearer ${key}` }));
  const json = { 'content-type': 'application/json' };
  const subscription = pickFrom(() => pools.subscriptions, { id: 'x', token: 'x' });
  const eventId = pickFrom(() => pools.eventIds, '01J1Z8Q4Y6V3W2X1A0B9C8D7E6');
  const validOrMutated = fc.oneof(
    { weight: 2, arbitrary: fc.constant(null).map(() => JSON.stringify(pools.validEvent())) },
    { weight: 1, arbitrary: eventBody(pools) },
  );
  const patch = fc
    .record(
      {
        title: fc.oneof(anyText, fc.constant(null)),
        date: dates,
        tags: fc.array(fc.constantFrom('sanctions', 'x', 'Bad'), { maxLength: 3 }),
        location: fc.constant(null),
        summary: anyText,
      },
      { requiredKeys: [] },
    )
    .map((v) => JSON.stringify(v));
  return fc.oneof(
    query(pools).map((q) => ({ path: `/v1/events${q}`, init: { method: 'GET' } })),
    fc.tuple(eventId, fc.constantFrom('"v1"', '"v2"', '*', 'nope')).map(([id, tag]) => ({
      path: `/v1/events/${id}`,
      init: { method: 'GET', headers: { 'if-none-match': tag } },
    })),
    fc
      .tuple(admin, validOrMutated, fc.option(headerText.filter((k) => k.length > 0)))
      .map(([auth, body, key]) => ({
        path: '/v1/events',
        init: {
          method: 'POST',
          headers: { ...auth, ...json, ...(key ? { 'idempotency-key': key } : {}) },
          body,
        },
      })),
    fc
      .tuple(
        admin,
        eventId,
        fc.constantFrom('"v1"', '"v2"', 'W/"v1"', undefined),
        patch,
        fc.constantFrom('application/merge-patch+json', 'application/json'),
      )
      .map(([auth, id, tag, body, type]) => ({
        path: `/v1/events/${id}`,
        init: {
          method: 'PATCH',
          headers: { ...auth, 'content-type': type, ...(tag ? { 'if-match': tag } : {}) },
          body,
        },
      })),
    fc.tuple(admin, eventId, fc.constantFrom('"v1"', '"v3"', undefined)).map(([auth, id, tag]) => ({
      path: `/v1/events/${id}`,
      init: { method: 'DELETE', headers: { ...auth, ...(tag ? { 'if-match': tag } : {}) } },
    })),
    fc.tuple(admin, subscriptionBody).map(([auth, body]) => ({
      path: '/v1/subscriptions',
      init: { method: 'POST', headers: { ...auth, ...json }, body },
    })),
    fc
      .tuple(subscription, fc.constantFrom('GET', 'DELETE', 'PATCH'), subscriptionBody)
      .map(([sub, verb, body]) => ({
        path: `/v1/subscriptions/${sub.id}`,
        init: {
          method: verb,
          headers: { authorization: `Bearer ${sub.token}`, ...json },
          ...(verb === 'PATCH' ? { body } : {}),
        },
      })),
    fc
      .tuple(
        subscription,
        fc.constantFrom(
          '/test',
          '/secret',
          '/deliveries',
          '/deliveries?limit=3',
          '/deliveries/01J1Z8Q4Y6V3W2X1A0B9C8D7E6/retry',
        ),
      )
      .map(([sub, rest]) => ({
        path: `/v1/subscriptions/${sub.id}${rest}`,
        init: {
          method: rest.startsWith('/deliveries') && !rest.endsWith('retry') ? 'GET' : 'POST',
          headers: { authorization: `Bearer ${sub.token}` },
        },
      })),
  );
}

/** Anything: random methods, paths, headers and bodies, each mostly plausible and often broken. */
function anything(pools: FuzzPools): fc.Arbitrary<Generated> {
  return fc.tuple(method, path(pools), headers(pools), body(pools)).map(([verb, target, head, payload]) => {
    const init: RequestInit & { method: string } = { method: verb, headers: head as Record<string, string> };
    if (verb !== 'GET' && verb !== 'HEAD' && verb !== 'get') init.body = payload as string | Uint8Array;
    return { path: target, init };
  });
}

/** One generated request: a path (with query) and a RequestInit. */
export function requestArbitrary(pools: FuzzPools): fc.Arbitrary<Generated> {
  return fc.oneof({ weight: 2, arbitrary: wellFormed(pools) }, { weight: 3, arbitrary: anything(pools) });
}
