import { overlapsRange } from '../domain/dates.ts';
import { actorKey, type TimelineEvent } from '../domain/event.ts';
import { type QueryPage, queryPage, type Table } from './dynamo.ts';
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

/** Key ranges merged into one stream in timeline order; items that `keep` refuses are skipped. */
class MergedStream {
  constructor(
    private readonly streams: RangeStream[],
    private readonly ascending: boolean,
    private readonly keep: (item: TimelineItem) => boolean = () => true,
  ) {}

  get scanned(): number {
    return this.streams.reduce((sum, stream) => sum + stream.scanned, 0);
  }

  async peek(): Promise<TimelineItem | undefined> {
    for (;;) {
      const best = await this.best();
      const head = await best?.peek();
      if (!best || !head) return undefined;
      if (this.keep(head)) return head;
      best.take();
    }
  }

  async take(): Promise<TimelineItem | undefined> {
    const head = await this.peek();
    if (head) (await this.best())?.take();
    return head;
  }

  private async best(): Promise<RangeStream | undefined> {
    let best: RangeStream | undefined;
    let bestSk: string | undefined;
    for (const stream of this.streams) {
      const head = await stream.peek();
      if (!head) continue;
      if (bestSk === undefined || (this.ascending ? head.sk < bestSk : head.sk > bestSk)) {
        best = stream;
        bestSk = head.sk;
      }
    }
    return best;
  }
}

/** Reads one page of the timeline. Items read stay proportional to the page for single-dimension filters. */
export async function readTimelinePage(
  table: Table,
  request: TimelinePageRequest,
): Promise<TimelinePageResult> {
  const ascending = request.order === 'asc';
  const plan = planTimeline(request);
  const from = request.from;
  // Straddlers start before `from`, so in ascending order every one comes before the main ranges and in
  // descending order after them. Both parts are streamed from the cursor on, and each is opened only when
  // the page reaches it, with a first chunk the size of what the page still needs plus one item that
  // tells whether another page exists.
  const parts: { ranges: KeyRange[]; keep?: (item: TimelineItem) => boolean; stream?: MergedStream }[] = [
    { ranges: plan.main },
    { ranges: plan.straddlers, keep: (item) => from !== undefined && isStraddler(item, from) },
  ];
  if (ascending) parts.reverse();
  const open = (part: (typeof parts)[number], found: number): MergedStream => {
    const chunk = Math.max(1, request.limit - found) + 1;
    part.stream ??= new MergedStream(
      part.ranges.map((range) => new RangeStream(table, range, ascending, chunk, request.after)),
      ascending,
      part.keep,
    );
    return part.stream;
  };

  const items: TimelineEvent[] = [];
  const seen = new Set<string>();
  let examined = 0;
  let lastSk: string | undefined;
  let exhausted = false;

  const nextItem = async (): Promise<TimelineItem | undefined> => {
    for (const part of parts) {
      const item = await open(part, items.length).take();
      if (item) return item;
    }
    return undefined;
  };
  const anyRemaining = async (): Promise<boolean> => {
    for (const part of parts) if (await open(part, items.length).peek()) return true;
    return false;
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
  const more = !exhausted && (await anyRemaining());
  const itemsRead = parts.reduce((sum, part) => sum + (part.stream?.scanned ?? 0), 0);
  return { items, itemsRead, ...(more && lastSk !== undefined ? { next: lastSk } : {}) };
}
