import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addDays,
  compareTimeline,
  overlapsRange,
  parseRangeBoundary,
  spanDays,
} from '../../shared/domain/dates.ts';
import {
  type Actor,
  actorKey,
  type EventInput,
  type EventKind,
  eventKinds,
  type TimelineEvent,
} from '../../shared/domain/event.ts';
import { EventService } from '../../shared/events/event-service.ts';
import { batchWrite, type Table } from '../../shared/store/dynamo.ts';
import { buildEventItem, EventRepository } from '../../shared/store/event-repository.ts';
import { IdempotencyStore } from '../../shared/store/idempotency-store.ts';
import { timelineItems } from '../../shared/store/timeline-items.ts';
import type { TimelineFilter } from '../../shared/store/timeline-plan.ts';
import { icaroSource, state, timelineFilter } from '../fixtures/events.ts';
import { seededRandom } from '../fixtures/random.ts';
import { eventsPath, getPage, startTestStack, type TestStack } from '../support/test-app.ts';

/**
 * Reads stay proportional to the page: with 2,000 events in the table, a page of 20 for one actor,
 * one kind or one tag reads at most 24 items (DynamoDB's ScannedCount), never the table. A date range
 * also reads the events already in progress when it begins (straddlers: they start before `from`),
 * so its first page may read those on top of the page; every later page reads at most 30. The
 * events include open and unknown ends (ongoing to 9999, or from 0001) and decades (201X).
 */

const TOTAL = 2_000;
const PAGE = 20;
/** A page of 20 may read the page, one look-ahead item and a few items the filters pass over. */
const MAX_READ = 24;
/**
 * A later page of a range reads the partitions of the events in progress at from side by side (the
 * year's year-precision events and five coverage partitions), each read taking what the page still
 * needs; so a partition may be read a few items past the page's end. Newest first, that is where
 * events open at their start (their earliest day 0001-01-01) wait: measured 27 for this data.
 */
const MAX_RANGE_READ = 30;
const RARE_ACTOR = 'LI';

const COMMON_STATES = ['RU', 'UA', 'KP', 'US', 'CN', 'GB', 'FR', 'DE', 'JP', 'KR', 'IR', 'IL'];
const TAGS = [
  'arms-embargo',
  'dprk-sanctions',
  'ballistic-missiles',
  'russia-ukraine-war',
  'un-security-council',
  'military-cooperation',
  'nuclear-programme',
  'ceasefire',
  'humanitarian',
  'energy',
  'cyber',
  'maritime',
];

const OPEN_FORMS: ((start: string) => string)[] = [
  (start) => `${start}/..`,
  (start) => `../${start}`,
  (start) => `${start.slice(0, 7)}/`,
  (start) => `/${start.slice(0, 7)}`,
  (start) => `${start.slice(0, 3)}X`,
];

/**
 * 2,000 events over 2015–2024, shaped like a news timeline: mostly days (70%) and months (12%), some
 * years (4%), short intervals such as "mid-June" (12%), a few multi-year (1.5%) and multi-decade (0.5%)
 * intervals; 1% open or unknown at one end or decades. About 17 events start in any month, so a
 * month's page of 20 is full.
 */
function generateInputs(): EventInput[] {
  const next = seededRandom(20240628);
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
  const inputs: EventInput[] = [];
  for (let i = 0; i < TOTAL; i++) {
    const start = addDays('2015-01-01', Math.floor(next() * 3653)); // up to 2024-12-31
    const form = next();
    let date: string;
    if (form < 0.7) date = start;
    else if (form < 0.82) date = start.slice(0, 7);
    else if (form < 0.86) date = start.slice(0, 4);
    else if (form < 0.98) date = `${start}/${addDays(start, 2 + Math.floor(next() * 40))}`;
    else if (form < 0.995) date = `${start}/${addDays(start, 150 + Math.floor(next() * 1200))}`;
    else date = `${start.slice(0, 4)}/${Number(start.slice(0, 4)) + 11 + Math.floor(next() * 10)}`;
    // 1% open or unknown at one end (ongoing to 9999, or from 0001), or a decade: 201X.
    if (i % 100 === 7) date = OPEN_FORMS[Math.floor(i / 100) % OPEN_FORMS.length]!(start);
    const actors: Actor[] = [state(pick(COMMON_STATES))];
    // Exactly 1%: every hundredth event.
    if (i % 100 === 42) actors.push(state(RARE_ACTOR, 'observer'));
    const tags = [pick(TAGS)];
    inputs.push({
      kind: pick(eventKinds) as EventKind,
      title: `Generated event ${i}`,
      summary: `Event number ${i} of the read-efficiency data set.`,
      date,
      actors,
      tags,
      sources: [icaroSource()],
    });
  }
  return inputs;
}

let stack: TestStack;
let all: TimelineEvent[];
/** ScannedCount of every Query the table client sent, as DynamoDB (dynalite) reported it. */
let scannedByDynamo = 0;

/**
 * The repository's writes for a new event (its item and its timeline items, exactly as
 * `EventRepository.create` builds them), collected and sent 25 to a BatchWriteItem request: seeding
 * 2,000 events through the EventService then takes seconds instead of ~10,000 single writes.
 */
class BatchingEventRepository extends EventRepository {
  private readonly writes: { PutRequest: { Item: Record<string, unknown> } }[] = [];

  constructor(private readonly target: Table) {
    super(target);
  }

  override async create(event: TimelineEvent): Promise<void> {
    const item = buildEventItem(event, {
      type: 'event.created',
      version: event.version,
      at: event.createdAt,
    });
    this.writes.push({ PutRequest: { Item: { ...item } } });
    for (const posting of timelineItems(event)) this.writes.push({ PutRequest: { Item: posting } });
  }

  async flush(): Promise<void> {
    const writes = this.writes.splice(0);
    const batches: (typeof writes)[] = [];
    for (let start = 0; start < writes.length; start += 25 * 8)
      batches.push(writes.slice(start, start + 25 * 8));
    await Promise.all(batches.map((batch) => batchWrite(this.target, batch)));
  }
}

beforeAll(async () => {
  stack = await startTestStack();
  const inputs = generateInputs();
  // The first 50 through the service as the API writes them; the rest through the same service with batched writes.
  all = [];
  for (const input of inputs.slice(0, 50)) all.push((await stack.events.create(input)).event);
  const batching = new BatchingEventRepository(stack.table);
  const seeding = new EventService({
    table: stack.table,
    events: batching,
    idempotency: new IdempotencyStore(stack.table),
  });
  for (const input of inputs.slice(50)) all.push((await seeding.create(input)).event);
  await batching.flush();
  stack.table.client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (context.commandName === 'QueryCommand') {
        scannedByDynamo += (result.output as { ScannedCount?: number }).ScannedCount ?? 0;
      }
      return result;
    },
    { step: 'initialize', name: 'countScannedItems' },
  );
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

/** The answer by brute force: every generated event checked against the filter, in timeline order. */
function bruteForce(f: TimelineFilter): TimelineEvent[] {
  const matching = all.filter(
    (event) =>
      overlapsRange(event, f.from, f.to) &&
      (f.kinds.length === 0 || f.kinds.includes(event.kind)) &&
      (f.actors.length === 0 || event.actors.some((actor) => f.actors.includes(actorKey(actor)))) &&
      (f.tags.length === 0 || event.tags.some((tag) => f.tags.includes(tag))),
  );
  matching.sort(compareTimeline);
  return f.order === 'desc' ? matching.reverse() : matching;
}

/** Reads `pages` pages through the service, returning what each read and what each listed. */
async function readPages(f: TimelineFilter, pages: number) {
  const results: { ids: string[]; itemsRead: number; scanned: number }[] = [];
  let after: string | undefined;
  for (let n = 0; n < pages; n++) {
    const before = scannedByDynamo;
    const page = await stack.events.list({ ...f, limit: PAGE, ...(after ? { after } : {}) });
    results.push({
      ids: page.items.map((event) => event.id),
      itemsRead: page.itemsRead,
      scanned: scannedByDynamo - before,
    });
    if (!page.next) break;
    after = page.next;
  }
  return results;
}

const june2020 = (order: 'asc' | 'desc' = 'asc') =>
  timelineFilter({
    from: parseRangeBoundary('2020-06', 'from'),
    to: parseRangeBoundary('2020-06', 'to'),
    order,
  });

/** Events already in progress when a range begins (they start before `from` and end on or after it). */
const inProgressAt = (from: string) =>
  all.filter((event) => event.earliest < from && event.latest >= from).length;

describe('timeline reads over 2,000 events', () => {
  it('holds the data set: 2,000 events, 20 with the rare actor', () => {
    expect(all).toHaveLength(TOTAL);
    expect(bruteForce(timelineFilter({ actors: [RARE_ACTOR] }))).toHaveLength(20);
  });

  it('has a full page and more in June 2020, with events in progress on 1 June', () => {
    expect(bruteForce(june2020()).length).toBeGreaterThan(2 * PAGE - 5);
    expect(inProgressAt('2020-06-01')).toBeGreaterThan(0);
  });

  const singleDimension: [string, () => TimelineFilter][] = [
    [`the rare actor ${RARE_ACTOR}`, () => timelineFilter({ actors: [RARE_ACTOR] })],
    ['a common actor (RU)', () => timelineFilter({ actors: ['RU'] })],
    ['a kind (missile-launch)', () => timelineFilter({ kinds: ['missile-launch'] })],
    ['a kind, newest first (statement)', () => timelineFilter({ kinds: ['statement'], order: 'desc' })],
    ['a tag (arms-embargo)', () => timelineFilter({ tags: ['arms-embargo'] })],
  ];

  const ranges: [string, () => TimelineFilter][] = [
    ['a month in the middle (June 2020)', () => june2020()],
    ['a month in the middle, newest first', () => june2020('desc')],
    [
      'days in the middle (2020-06-15 to 2020-06-20)',
      () => timelineFilter({ from: '2020-06-15', to: '2020-06-20' }),
    ],
    ['the rare actor from 2018 on', () => timelineFilter({ actors: [RARE_ACTOR], from: '2018-01-01' })],
  ];

  for (const [name, make] of [...singleDimension, ...ranges]) {
    it(`lists the first three pages for ${name} exactly as a brute-force filter does`, async () => {
      const f = make();
      const pages = await readPages(f, 3);
      const expected = bruteForce(f).map((event) => event.id);
      expect(pages.flatMap((page) => page.ids)).toEqual(expected.slice(0, pages.length * PAGE));
    });

    it(`reports exactly the items DynamoDB scanned for ${name}`, async () => {
      for (const page of await readPages(make(), 3)) expect(page.itemsRead).toBe(page.scanned);
    });
  }

  for (const [name, make] of singleDimension) {
    it(`reads at most ${MAX_READ} items for each page of ${PAGE} for ${name}`, async () => {
      const pages = await readPages(make(), 3);
      for (const page of pages) expect(page.itemsRead).toBeLessThanOrEqual(MAX_READ);
    });
  }

  for (const [name, make] of ranges) {
    it(`reads at most the page, one look-ahead item and the events in progress at from on the first page for ${name}`, async () => {
      const f = make();
      const [first] = await readPages(f, 1);
      expect(first!.itemsRead).toBeLessThanOrEqual(PAGE + 1 + inProgressAt(f.from!));
    });

    it(`reads at most ${MAX_RANGE_READ} items for each later page for ${name}`, async () => {
      const [, ...later] = await readPages(make(), 3);
      for (const page of later) expect(page.itemsRead).toBeLessThanOrEqual(MAX_RANGE_READ);
    });
  }

  it('has long intervals that ended earlier in 2020 or its decade, before June', () => {
    const endedEarlier = all.filter(
      (event) =>
        event.precision === 'interval' && event.latest >= '2020-01-01' && event.latest < '2020-06-01',
    );
    expect(
      endedEarlier.filter((event) => spanDays(event.earliest, event.latest) > 100).length,
    ).toBeGreaterThan(2);
  });

  it('reads the page, a look-ahead item and the first item of the other straddler partition for the first page of a month: intervals that ended before it are not read', async () => {
    for (const order of ['asc', 'desc'] as const) {
      const [first] = await readPages(june2020(order), 1);
      // June 2020's straddlers are in two coverage partitions (the month's and the year's).
      expect(first!.itemsRead).toBeLessThanOrEqual(PAGE + 2);
    }
  });

  it('serves the same first page over HTTP', async () => {
    const page = await getPage(stack.app, eventsPath({ actor: RARE_ACTOR.toLowerCase(), limit: PAGE }));
    expect(page.items.map((event) => event.id)).toEqual(
      bruteForce(timelineFilter({ actors: [RARE_ACTOR] }))
        .slice(0, PAGE)
        .map((event) => event.id),
    );
  });
});
