import { overlapsRange } from '../domain/dates.ts';
import { actorKey, resolveStoredDate, type TimelineEvent } from '../domain/event.ts';
import { type QueryPage, queryPage, type Table } from './dynamo.ts';
import { isStraddler, type KeyRange, planTimeline, type TimelineFilter } from './timeline-plan.ts';

export interface TimelinePageRequest extends TimelineFilter {
  limit: number;
  /** Sort key of the last item the previous page examined. */
  after?: string;
}

export interface TimelinePageResult {
  items: TimelineEvent[];
  /** Where the next page starts (a sort key): when another item follows, or the scan budget ran out first. */
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

/** `a` comes before `b` in the scan direction. */
const precedes = (ascending: boolean, a: string, b: string) => (ascending ? a < b : a > b);

/**
 * One key range read in timeline order, a bounded chunk at a time. A fetch may stop at a bound
 * (`upTo`, inclusive): the merge passes the point past which it does not need items yet, so a
 * range is read only as far as the page can use it.
 */
class RangeStream {
  private buffer: TimelineItem[] = [];
  /** Everything up to and including this sort key (in scan direction) has been fetched. */
  private readTo: string | undefined;
  private done = false;
  scanned = 0;
  /** Queries sent for this range so far. */
  fetches = 0;

  constructor(
    private readonly table: Table,
    private readonly range: KeyRange,
    private readonly ascending: boolean,
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
    else if (!beforeRange) this.readTo = after;
  }

  get head(): TimelineItem | undefined {
    return this.buffer[0];
  }

  get buffered(): readonly TimelineItem[] {
    return this.buffer;
  }

  /** Whether items may remain that were not fetched yet. */
  get open(): boolean {
    return !this.done;
  }

  /** Where unfetched items begin (at or after this sort key, in scan direction); undefined: the range is open there. */
  get start(): string | undefined {
    return this.readTo ?? (this.ascending ? this.range.lower : this.range.upper);
  }

  take(): TimelineItem | undefined {
    return this.buffer.shift();
  }

  /** Drops buffered items `keep` refuses (they still count as read). */
  discard(keep: (item: TimelineItem) => boolean): void {
    while (this.buffer.length > 0 && !keep(this.buffer[0]!)) this.buffer.shift();
  }

  /** Fetches up to `limit` more items, none past `upTo` (inclusive) when given. */
  async fetch(limit: number, upTo?: string): Promise<void> {
    const end = this.ascending ? this.range.upper : this.range.lower;
    const capped = upTo !== undefined && (end === undefined || precedes(this.ascending, upTo, end));
    const range: KeyRange = capped
      ? { ...this.range, [this.ascending ? 'upper' : 'lower']: upTo }
      : this.range;
    const page: QueryPage<TimelineItem> = await queryPage<TimelineItem>(this.table, {
      ...keyCondition(range),
      ScanIndexForward: this.ascending,
      Limit: Math.min(MAX_CHUNK, Math.max(1, limit)),
      ...(this.readTo !== undefined ? { ExclusiveStartKey: { pk: this.range.pk, sk: this.readTo } } : {}),
    });
    this.fetches++;
    this.scanned += page.scanned;
    this.buffer.push(...page.items);
    if (page.lastKey) this.readTo = page.lastKey.sk as string;
    else if (capped) this.readTo = upTo;
    else this.done = true;
  }
}

/**
 * Key ranges merged into one stream in timeline order; items that `keep` refuses are skipped.
 * Ranges are read lazily and with bounds, so that items read stay close to items used: a range
 * is fetched only when it may hold the next item; then no further than where another range not
 * yet read begins (its items up to there surely come first), nor than the `need()`-th item already
 * in hand (later ones cannot make the page), and no more items than the page still needs. Several
 * ranges open at the same end (straddler partitions) are first read one item each.
 */
class MergedStream {
  constructor(
    private readonly streams: RangeStream[],
    private readonly ascending: boolean,
    private readonly need: () => number,
    private readonly keep: (item: TimelineItem) => boolean = () => true,
  ) {}

  get scanned(): number {
    return this.streams.reduce((sum, stream) => sum + stream.scanned, 0);
  }

  async peek(): Promise<TimelineItem | undefined> {
    for (;;) {
      for (const stream of this.streams) stream.discard(this.keep);
      const best = this.best();
      const next = this.toFetch(best?.head?.sk);
      if (!next) return best?.head;
      await this.fetch(next);
    }
  }

  async take(): Promise<TimelineItem | undefined> {
    const head = await this.peek();
    if (head) this.best()?.take();
    return head;
  }

  private best(): RangeStream | undefined {
    let best: RangeStream | undefined;
    for (const stream of this.streams) {
      const head = stream.head;
      if (head && (!best || precedes(this.ascending, head.sk, best.head!.sk))) best = stream;
    }
    return best;
  }

  /** Whether a range's unfetched items can start before `key`. */
  private mayPrecede(stream: RangeStream, key: string | undefined): boolean {
    if (!stream.open || stream.head) return false;
    const start = stream.start;
    if (key === undefined || start === undefined) return true;
    return precedes(this.ascending, start, key);
  }

  /** The range to fetch before the next item can be named: the one that may start earliest. */
  private toFetch(headSk: string | undefined): RangeStream | undefined {
    let chosen: RangeStream | undefined;
    for (const stream of this.streams) {
      if (!this.mayPrecede(stream, headSk)) continue;
      if (!chosen || this.startsBefore(stream, chosen)) chosen = stream;
    }
    return chosen;
  }

  private startsBefore(a: RangeStream, b: RangeStream): boolean {
    if (b.start === undefined) return false;
    if (a.start === undefined) return true;
    return precedes(this.ascending, a.start, b.start);
  }

  /**
   * Fetches a range that may hold the next item (so nothing in hand comes before its start): at most
   * what the page needs, up to the need()-th item in hand, and up to where the next range not yet
   * fetched begins. Each fetch either returns items or moves the range's start to that bound.
   */
  private async fetch(stream: RangeStream): Promise<void> {
    const need = this.need();
    const held = this.streams
      .flatMap((other) => other.buffered.filter(this.keep))
      .map((item) => item.sk)
      .sort((a, b) => (a === b ? 0 : precedes(this.ascending, a, b) ? -1 : 1));
    const start = stream.start;
    let upTo: string | undefined = held.length >= need ? held[need - 1] : undefined;
    for (const other of this.streams) {
      const otherStart = other.start;
      if (other === stream || !this.mayPrecede(other, undefined) || otherStart === undefined) continue;
      if (start !== undefined && !precedes(this.ascending, start, otherStart)) continue;
      if (upTo === undefined || precedes(this.ascending, otherStart, upTo)) upTo = otherStart;
    }
    // Ranges not read yet that start from the same point (their open end, or the cursor) may
    // interleave anywhere: the first read of each takes one item, which bounds the later reads. So
    // does the first read of a range while others hold items: they may all come before its second.
    const probe =
      stream.fetches === 0 &&
      this.streams.some(
        (other) =>
          other !== stream &&
          ((other.fetches === 0 && other.start === start && this.mayPrecede(other, undefined)) ||
            other.head !== undefined),
      );
    await stream.fetch(probe ? 1 : need, upTo);
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
  const from = request.from;
  // Straddlers start before `from`, so in ascending order every one comes before the main ranges and in
  // descending order after them. Both parts are streamed from the cursor on, and each is opened only when
  // the page reaches it.
  const parts: { ranges: KeyRange[]; keep?: (item: TimelineItem) => boolean; stream?: MergedStream }[] = [
    { ranges: plan.main },
    { ranges: plan.straddlers, keep: (item) => from !== undefined && isStraddler(item, from) },
  ];
  if (ascending) parts.reverse();
  const items: TimelineEvent[] = [];
  const seen = new Set<string>();
  let examined = 0;
  let lastSk: string | undefined;
  let exhausted = false;

  // Items the page still needs, plus one that tells whether another page exists (once the page is full,
  // just that one); scaled by the share of items examined so far that made it (residual filters,
  // duplicates), so filtered reads need few round trips.
  const need = () => {
    const left = Math.max(0, request.limit - items.length);
    // Smoothed (as if four items had passed before), so that one early refusal does not double the reads.
    const yieldRate = Math.min(1, (items.length + 4) / (examined + 4));
    const wanted = left === 0 ? Math.ceil(1 / yieldRate) : Math.ceil(left / yieldRate) + 1;
    return Math.min(MAX_CHUNK, wanted);
  };
  const open = (part: (typeof parts)[number]): MergedStream => {
    part.stream ??= new MergedStream(
      part.ranges.map((range) => new RangeStream(table, range, ascending, request.after)),
      ascending,
      need,
      part.keep,
    );
    return part.stream;
  };

  const nextItem = async (): Promise<TimelineItem | undefined> => {
    for (const part of parts) {
      const item = await open(part).take();
      if (item) return item;
    }
    return undefined;
  };
  const anyRemaining = async (): Promise<boolean> => {
    for (const part of parts) if (await open(part).peek()) return true;
    return false;
  };

  // Reads on past a full page until one more item would make it: a cursor is given only when a next
  // page has something in it. The cursor is the last item examined before that one, so the next
  // page does not read again what this one passed over. A page that runs out of scan budget first
  // ends where it got to, with a cursor if anything is left to read.
  let following = false;
  while (examined < SCAN_BUDGET) {
    const item = await nextItem();
    if (!item) {
      exhausted = true;
      break;
    }
    examined++;
    // Same sort key, same event: an item at the cursor is one the page has seen.
    if (!seen.has(item.event.id)) {
      seen.add(item.event.id);
      if (matchesTimelineFilter(item.event, request)) {
        if (items.length === request.limit) {
          following = true;
          break;
        }
        items.push(resolveStoredDate(item.event));
      }
    }
    lastSk = item.sk;
  }
  const more = following || (!exhausted && (await anyRemaining()));
  const itemsRead = parts.reduce((sum, part) => sum + (part.stream?.scanned ?? 0), 0);
  return { items, itemsRead, ...(more && lastSk !== undefined ? { next: lastSk } : {}) };
}
