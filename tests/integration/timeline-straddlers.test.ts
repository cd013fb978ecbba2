import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareTimeline, overlapsRange } from '../../shared/domain/dates.ts';
import type { TimelineEvent } from '../../shared/domain/event.ts';
import type { TimelineFilter } from '../../shared/store/timeline-plan.ts';
import { eventInput, timelineFilter } from '../fixtures/events.ts';
import { startTestStack, type TestStack } from '../support/test-app.ts';

/**
 * Events that start before `from` but are still in progress ("straddlers") are streamed from the
 * cursor like the rest of the timeline: paging through a range that begins in a year with 150
 * year-precision events reads each page in proportion to the page, not all 150 every time.
 */

const PAGE = 20;
const MAX_READ = 24;
/**
 * Up to six partitions are read side by side, each a few items past the page's end at most.
 * Measured: 21–23 items a page, one newest-first page 37 (the events open at their start, on
 * 0001-01-01, wait at the end of every partition).
 */
const MAX_OPEN_READ = 40;

let stack: TestStack;
let all: TimelineEvent[];

beforeAll(async () => {
  stack = await startTestStack();
  const inputs = [
    // 150 reports known only by their year: all in progress on any day of 2019 but 1 January.
    ...Array.from({ length: 150 }, (_, i) => eventInput({ title: `Annual report ${i}`, date: '2019' })),
    // 45 dated events in the second half of June 2019, 20 in July, 15 in 2018.
    ...Array.from({ length: 45 }, (_, i) =>
      eventInput({ title: `June ${i}`, date: `2019-06-${15 + (i % 16)}` }),
    ),
    ...Array.from({ length: 20 }, (_, i) => eventInput({ title: `July ${i}`, date: `2019-07-${10 + i}` })),
    ...Array.from({ length: 15 }, (_, i) => eventInput({ title: `Earlier ${i}`, date: `2018-03-${10 + i}` })),
  ];
  all = [];
  for (let start = 0; start < inputs.length; start += 50) {
    const batch = inputs.slice(start, start + 50);
    all.push(...(await Promise.all(batch.map(async (input) => (await stack.events.create(input)).event))));
  }
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

const range = (order: 'asc' | 'desc') => timelineFilter({ from: '2019-06-15', to: '2019-06-30', order });

async function walk(f: TimelineFilter) {
  const pages: { ids: string[]; itemsRead: number }[] = [];
  let after: string | undefined;
  do {
    const page = await stack.events.list({ ...f, limit: PAGE, ...(after ? { after } : {}) });
    pages.push({ ids: page.items.map((event) => event.id), itemsRead: page.itemsRead });
    after = page.next;
  } while (after !== undefined && pages.length < 50);
  return pages;
}

function expected(f: TimelineFilter): string[] {
  const matching = all.filter((event) => overlapsRange(event, f.from, f.to)).sort(compareTimeline);
  return (f.order === 'desc' ? matching.reverse() : matching).map((event) => event.id);
}

describe('paging through a range with 150 events in progress at from', () => {
  it('lists every matching event once, in timeline order', async () => {
    const pages = await walk(range('asc'));
    expect(pages.flatMap((page) => page.ids)).toEqual(expected(range('asc')));
  });

  it('lists every matching event once, newest first', async () => {
    const pages = await walk(range('desc'));
    expect(pages.flatMap((page) => page.ids)).toEqual(expected(range('desc')));
  });

  it(`reads at most ${MAX_READ} items for every page of ${PAGE}`, async () => {
    const pages = await walk(range('asc'));
    expect(pages.length).toBeGreaterThan(8);
    expect(pages.map((page) => page.itemsRead).filter((read) => read > MAX_READ)).toEqual([]);
  });

  it(`reads at most ${MAX_READ} items for every page of ${PAGE}, newest first`, async () => {
    const pages = await walk(range('desc'));
    expect(pages.map((page) => page.itemsRead).filter((read) => read > MAX_READ)).toEqual([]);
  });

  it('reads in all about as many items as it lists', async () => {
    const pages = await walk(range('asc'));
    const listed = pages.reduce((sum, page) => sum + page.ids.length, 0);
    const read = pages.reduce((sum, page) => sum + page.itemsRead, 0);
    expect(read).toBeLessThanOrEqual(listed + 2 * pages.length);
  });
});

/**
 * Ongoing events ("2016-03-01/.."), events open or unknown at their start ("../2021-05") and decades
 * (201X) are in progress at every from they reach; paging through a range they straddle still reads
 * in proportion to the page, in both directions.
 */
describe('paging through a range with 200 open-ended events in progress at from', () => {
  let openStack: TestStack;
  let open: TimelineEvent[];

  beforeAll(async () => {
    openStack = await startTestStack();
    const inputs = [
      ...Array.from({ length: 80 }, (_, i) =>
        eventInput({
          title: `Ongoing ${i}`,
          date: `${2010 + (i % 9)}-${String(1 + (i % 12)).padStart(2, '0')}-01/..`,
        }),
      ),
      ...Array.from({ length: 40 }, (_, i) =>
        eventInput({
          title: `Open start ${i}`,
          date: `../${2020 + (i % 10)}-${String(1 + (i % 12)).padStart(2, '0')}`,
        }),
      ),
      ...Array.from({ length: 40 }, (_, i) =>
        eventInput({
          title: `Unknown end ${i}`,
          date: `${2012 + (i % 7)}-${String(1 + (i % 12)).padStart(2, '0')}/`,
        }),
      ),
      ...Array.from({ length: 40 }, (_, i) => eventInput({ title: `Decade ${i}`, date: '201X' })),
      ...Array.from({ length: 45 }, (_, i) =>
        eventInput({ title: `June ${i}`, date: `2019-06-${15 + (i % 16)}` }),
      ),
      ...Array.from({ length: 20 }, (_, i) =>
        eventInput({ title: `Earlier ${i}`, date: `2018-03-${10 + i}` }),
      ),
    ];
    open = [];
    for (let start = 0; start < inputs.length; start += 50) {
      const batch = inputs.slice(start, start + 50);
      open.push(
        ...(await Promise.all(batch.map(async (input) => (await openStack.events.create(input)).event))),
      );
    }
  }, 120_000);

  afterAll(async () => {
    await openStack?.close();
  });

  async function walkOpen(f: TimelineFilter) {
    const pages: { ids: string[]; itemsRead: number }[] = [];
    let after: string | undefined;
    do {
      const page = await openStack.events.list({ ...f, limit: PAGE, ...(after ? { after } : {}) });
      pages.push({ ids: page.items.map((event) => event.id), itemsRead: page.itemsRead });
      after = page.next;
    } while (after !== undefined && pages.length < 50);
    return pages;
  }

  const expectedOpen = (f: TimelineFilter) => {
    const matching = open.filter((event) => overlapsRange(event, f.from, f.to)).sort(compareTimeline);
    return (f.order === 'desc' ? matching.reverse() : matching).map((event) => event.id);
  };

  for (const order of ['asc', 'desc'] as const) {
    it(`lists every matching event once, in timeline order (${order})`, async () => {
      const pages = await walkOpen(range(order));
      expect(pages.flatMap((page) => page.ids)).toEqual(expectedOpen(range(order)));
    });

    it(`reads at most ${MAX_OPEN_READ} items for every page of ${PAGE}, and about as many as it lists in all (${order})`, async () => {
      const pages = await walkOpen(range(order));
      expect(pages.length).toBeGreaterThan(10);
      expect(pages.map((page) => page.itemsRead).filter((read) => read > MAX_OPEN_READ)).toEqual([]);
      const listed = pages.reduce((sum, page) => sum + page.ids.length, 0);
      const read = pages.reduce((sum, page) => sum + page.itemsRead, 0);
      expect(read).toBeLessThanOrEqual(1.25 * listed + 2 * pages.length);
    });
  }
});
