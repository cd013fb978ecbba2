import { overlapsRange } from '../domain/dates.ts';
import { actorKey, resolveStoredDate, type TimelineEvent } from '../domain/event.ts';
import { batchGet, queryPage, type Table } from './dynamo.ts';
import type { EventItem } from './event-repository.ts';
import { changeIndexPartition, type Dimension, eventKey } from './keys.ts';
import { drivingDimensions, type TimelineFilter } from './timeline-plan.ts';
import { matchesTimelineFilter } from './timeline-reader.ts';

/**
 * The "recently changed" index behind the feeds: under each dimension an event is listed in (all,
 * its kind, each actor, each tag), one small item keyed by when the event last changed
 * (`CHG#<dimension>`, sk `<updatedAt>#<id>`). It is written and repaired with the timeline items
 * (see timeline-items.ts), so a change moves it and a deletion removes it. It carries only what the
 * filters need (kind, actor keys, tags, earliest, latest), ~250 bytes, 1 WRU; a feed reads the
 * newest entries of the partition its filter drives, checks the other filters on them and fetches
 * only the events that pass. docs/data-model.md has the costs.
 */

/** A type, not an interface, so that it passes as the plain record a batch write takes. */
export type ChangeIndexItem = {
  pk: string;
  sk: string;
  type: 'change';
  id: string;
  version: number;
  kind: string;
  actors: string[];
  tags: string[];
  earliest: string;
  latest: string;
};

/** Newest change first: the sort key is when the event last changed, then its id. */
export const changeIndexSortKey = (event: Pick<TimelineEvent, 'updatedAt' | 'id'>) =>
  `${event.updatedAt}#${event.id}`;

/** The keys of an event's entries in the change index, one per dimension it is listed under. */
export function changeIndexKeys(event: TimelineEvent, dimensions: readonly Dimension[]) {
  const sk = changeIndexSortKey(event);
  return dimensions.map((dimension) => ({ pk: changeIndexPartition(dimension), sk }));
}

export function changeIndexItems(event: TimelineEvent, dimensions: readonly Dimension[]): ChangeIndexItem[] {
  const actors = [...new Set(event.actors.map(actorKey))];
  return changeIndexKeys(event, dimensions).map((key) => ({
    ...key,
    type: 'change',
    id: event.id,
    version: event.version,
    kind: event.kind,
    actors,
    tags: event.tags,
    earliest: event.earliest,
    latest: event.latest,
  }));
}

export interface RecentChangesRequest extends Omit<TimelineFilter, 'order'> {
  limit: number;
}

export interface RecentChangesResult {
  /** Live events matching the filter, the most recently changed first. */
  items: TimelineEvent[];
  /** Index items and events read (for tests and benchmarks). */
  itemsRead: number;
}

/** Index items examined past this many without filling the feed end it with what it has. */
const SCAN_BUDGET = 1000;
const MAX_CHUNK = 500;

/** Whether an index item passes the filters it can answer (everything but the text, `q`). */
function passesIndexFilters(item: ChangeIndexItem, filter: Omit<TimelineFilter, 'order'>): boolean {
  if (!overlapsRange(item, filter.from, filter.to)) return false;
  if (filter.kinds.length > 0 && !filter.kinds.includes(item.kind)) return false;
  if (filter.actors.length > 0 && !item.actors.some((actor) => filter.actors.includes(actor))) return false;
  if (filter.tags.length > 0 && !item.tags.some((tag) => filter.tags.includes(tag))) return false;
  return true;
}

/** One partition of the index read newest first, a chunk at a time. */
class PartitionStream {
  private buffer: ChangeIndexItem[] = [];
  private lastKey: Record<string, unknown> | undefined;
  private done = false;
  scanned = 0;

  constructor(
    private readonly table: Table,
    private readonly pk: string,
  ) {}

  async head(chunk: number): Promise<ChangeIndexItem | undefined> {
    if (this.buffer.length === 0 && !this.done) {
      const page = await queryPage<ChangeIndexItem>(this.table, {
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': this.pk },
        ScanIndexForward: false,
        Limit: chunk,
        ...(this.lastKey ? { ExclusiveStartKey: this.lastKey } : {}),
      });
      this.scanned += page.scanned;
      this.buffer.push(...page.items);
      this.lastKey = page.lastKey;
      if (!page.lastKey) this.done = true;
    }
    return this.buffer[0];
  }

  take(): ChangeIndexItem | undefined {
    return this.buffer.shift();
  }
}

/**
 * The live events matching a timeline filter that changed most recently, newest first, at most
 * `limit`. Reads about `limit` index items and `limit` events for a filter on one dimension (several
 * values of it: each value's partition, merged); other filters are checked per index item, within a
 * budget of 1,000 items examined, so a feed whose filter few recent changes match may come out short.
 */
export async function readRecentChanges(
  table: Table,
  request: RecentChangesRequest,
): Promise<RecentChangesResult> {
  const filter = request;
  const streams = drivingDimensions({ ...filter, order: 'desc' }).map(
    (dimension) => new PartitionStream(table, changeIndexPartition(dimension)),
  );
  const items: TimelineEvent[] = [];
  const seen = new Set<string>();
  let examined = 0;
  let fetched = 0;
  let passed = 0;

  const next = async (chunk: number): Promise<ChangeIndexItem | undefined> => {
    const heads = await Promise.all(streams.map((stream) => stream.head(chunk)));
    let best = -1;
    heads.forEach((head, i) => {
      if (head && (best === -1 || head.sk > heads[best]!.sk)) best = i;
    });
    return best === -1 ? undefined : streams[best]!.take();
  };

  let exhausted = false;
  while (items.length < request.limit && examined < SCAN_BUDGET && !exhausted) {
    const wanted = request.limit - items.length;
    // Read ahead by the share of items that passed so far (smoothed), so a filtered feed needs few round trips.
    const yieldRate = Math.min(1, (passed + 4) / (examined + 4));
    const chunk = Math.min(MAX_CHUNK, Math.ceil(wanted / yieldRate));
    const candidates: ChangeIndexItem[] = [];
    while (candidates.length < wanted && examined < SCAN_BUDGET) {
      const item = await next(chunk);
      if (!item) {
        exhausted = true;
        break;
      }
      examined++;
      if (seen.has(item.id)) continue;
      seen.add(item.id);
      if (!passesIndexFilters(item, filter)) continue;
      passed++;
      candidates.push(item);
    }
    if (candidates.length === 0) break;
    const found = await batchGet<EventItem>(
      table,
      candidates.map((candidate) => eventKey(candidate.id)),
    );
    fetched += candidates.length;
    const byId = new Map(found.map((item) => [item.event.id, item]));
    for (const candidate of candidates) {
      const stored = byId.get(candidate.id);
      // Gone, deleted, or changed since this entry was written: its newer entry, earlier in the order, stands for it.
      if (!stored || stored.deleted || stored.version !== candidate.version) continue;
      const event = resolveStoredDate(stored.event);
      if (matchesTimelineFilter(event, { ...filter, order: 'desc' })) items.push(event);
    }
  }
  const scanned = streams.reduce((sum, stream) => sum + stream.scanned, 0);
  return { items: items.slice(0, request.limit), itemsRead: scanned + fetched };
}
