import { overlapsRange } from '../domain/dates.ts';
import { actorKey, type TimelineEvent } from '../domain/event.ts';
import { type QueryPage, queryAll, queryPage, type Table } from './dynamo.ts';
import { isStraddler, type KeyRange, planTimeline, type TimelineFilter } from './timeline-plan.ts';

export interface TimelinePageRequest extends TimelineFilter {
  limit: number;
  /** Sort key of the last item the previous page examined. */
  after?: string;
}

export interface TimelinePageResult {
  items: TimelineEvent[];
  /** Where the next page starts (a sort key), when there may be more. */
  next?: string;
  /** Items DynamoDB read to answer (ScannedCount), for tests and benchmarks. */
  itemsRead: number;
}

interface TimelineItem {
  pk: string;
  sk: string;
  earliest: string;
  latest: string;
  event: TimelineEvent;
}

/** Reads past this many items that the residual filters reject end the page early, with a cursor. */
const SCAN_BUDGET = 1000;
const MAX_CHUNK = 500;

/** Whether an event passes every filter of the request (the driving one included, as a check). */
export function matchesTimelineFilter(event: TimelineEvent, filter: TimelineFilter): boolean {
  if (!overlapsRange(event, filter.from, filter.to)) return false;
  if (filter.kinds.length > 0 && !filter.kinds.includes(event.kind)) return false;
  if (filter.actors.length > 0 && !event.actors.some((actor) => filter.actors.includes(actorKey(actor))))
    return false;
  if (filter.tags.length > 0 && !event.tags.some((tag) => filter.tags.includes(tag))) return false;
  if (filter.q) {
    const needle = filter.q.toLowerCase();
    const haystack = `${event.title}\n${event.summary}\n${event.location?.name ?? ''}`.toLowerCase();
    if (!haystack.includes(needle)) return false;
  }
  return true;
}

/** Streams one key range in timeline order, fetching chunks only as the merge needs them. */
class RangeStream {
  private buffer: TimelineItem[] = [];
  private lastKey: Record<string, unknown> | undefined;
  private done = false;
  scanned = 0;

  constructor(
    private readonly table: Table,
    private readonly range: KeyRange,
    private readonly ascending: boolean,
    private chunk: number,
    after: string | undefined,
  ) {
    if (after === undefined) return;
    const beforeRange = ascending
      ? range.lower !== undefined && after < range.lower
      : range.upper !== undefined && after > range.upper;
    const pastRange = ascending
      ? range.upper !== undefined && after >= range.upper
      : range.lower !== undefined && after <= range.lower;
    if (pastRange) this.done = true;
    else if (!beforeRange) this.lastKey = { pk: range.pk, sk: after };
  }

  async peek(): Promise<TimelineItem | undefined> {
    while (this.buffer.length === 0 && !this.done) await this.fetch();
    return this.buffer[0];
  }

  take(): TimelineItem | undefined {
    return this.buffer.shift();
  }

  private async fetch(): Promise<void> {
    const page: QueryPage<TimelineItem> = await queryPage<TimelineItem>(this.table, {
      ...keyCondition(this.range),
      ScanIndexForward: this.ascending,
      Limit: this.chunk,
      ...(this.lastKey ? { ExclusiveStartKey: this.lastKey } : {}),
    });
    this.scanned += page.scanned;
    this.buffer.push(...page.items);
    this.lastKey = page.lastKey;
    this.done = page.lastKey === undefined;
    this.chunk = Math.min(MAX_CHUNK, this.chunk * 2);
  }
}

function keyCondition(range: KeyRange) {
  const values: Record<string, string> = { ':pk': range.pk };
  let condition = 'pk = :pk';
  if (range.lower !== undefined && range.upper !== undefined) {
    condition += ' AND sk BETWEEN :lower AND :upper';
    values[':lower'] = range.lower;
    values[':upper'] = range.upper;
  } else if (range.lower !== undefined) {
    condition += ' AND sk >= :lower';
    values[':lower'] = range.lower;
  } else if (range.upper !== undefined) {
    condition += ' AND sk <= :upper';
    values[':upper'] = range.upper;
  }
  return { KeyConditionExpression: condition, ExpressionAttributeValues: values };
}

/** Reads one page of the timeline. Items read stay proportional to the page for single-dimension filters. */
export async function readTimelinePage(
  table: Table,
  request: TimelinePageRequest,
): Promise<TimelinePageResult> {
  const ascending = request.order === 'asc';
  const plan = planTimeline(request);
  // One extra item tells whether another page exists without a second round trip.
  const firstChunk = request.limit + 1;
  const main = plan.main.map((range) => new RangeStream(table, range, ascending, firstChunk, request.after));
  const straddlerRead = await readStraddlers(table, plan.straddlers, request);
  const straddlers = straddlerRead.items.filter((item) =>
    request.after === undefined ? true : ascending ? item.sk > request.after : item.sk < request.after,
  );
  if (!ascending) straddlers.reverse();

  const items: TimelineEvent[] = [];
  const seen = new Set<string>();
  let examined = 0;
  let lastSk: string | undefined;
  let exhausted = false;

  const nextItem = async (): Promise<TimelineItem | undefined> => {
    if (ascending && straddlers.length > 0) return straddlers.shift();
    const fromMain = await takeMerged(main, ascending);
    if (fromMain) return fromMain;
    return straddlers.shift();
  };

  while (items.length < request.limit && examined < SCAN_BUDGET) {
    const item = await nextItem();
    if (!item) {
      exhausted = true;
      break;
    }
    examined++;
    lastSk = item.sk;
    if (seen.has(item.event.id)) continue;
    seen.add(item.event.id);
    if (matchesTimelineFilter(item.event, request)) items.push(item.event);
  }
  const more = !exhausted && (straddlers.length > 0 || (await anyRemaining(main)));
  const itemsRead = straddlerRead.scanned + main.reduce((sum, stream) => sum + stream.scanned, 0);
  return { items, itemsRead, ...(more && lastSk !== undefined ? { next: lastSk } : {}) };
}

async function takeMerged(streams: RangeStream[], ascending: boolean): Promise<TimelineItem | undefined> {
  let best: RangeStream | undefined;
  let bestSk: string | undefined;
  for (const stream of streams) {
    const head = await stream.peek();
    if (!head) continue;
    if (bestSk === undefined || (ascending ? head.sk < bestSk : head.sk > bestSk)) {
      best = stream;
      bestSk = head.sk;
    }
  }
  return best?.take();
}

async function anyRemaining(streams: RangeStream[]): Promise<boolean> {
  for (const stream of streams) if (await stream.peek()) return true;
  return false;
}

async function readStraddlers(table: Table, ranges: KeyRange[], request: TimelinePageRequest) {
  const from = request.from;
  if (ranges.length === 0 || from === undefined) return { items: [], scanned: 0 };
  // Once the cursor is past `from` in ascending order, every straddler was already served.
  if (request.order === 'asc' && request.after !== undefined && request.after >= from)
    return { items: [], scanned: 0 };
  const pages = await Promise.all(ranges.map((range) => queryAll<TimelineItem>(table, keyCondition(range))));
  const byId = new Map<string, TimelineItem>();
  for (const page of pages) {
    for (const item of page.items) if (isStraddler(item, from)) byId.set(item.event.id, item);
  }
  const items = [...byId.values()].sort((a, b) => (a.sk < b.sk ? -1 : a.sk > b.sk ? 1 : 0));
  return { items, scanned: pages.reduce((sum, page) => sum + page.scanned, 0) };
}
