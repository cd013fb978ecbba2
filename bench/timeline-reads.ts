import type { TimelineEvent } from '../shared/domain/event.ts';
import { EventService, materialiseEvent } from '../shared/events/event-service.ts';
import { buildEventItem, EventRepository } from '../shared/store/event-repository.ts';
import { IdempotencyStore } from '../shared/store/idempotency-store.ts';
import { timelineItems } from '../shared/store/timeline-items.ts';
import type { TimelinePageRequest } from '../shared/store/timeline-reader.ts';
import { timelineFilter } from '../tests/fixtures/events.ts';
import { bulkWrite, startBenchDynamo } from './lib/dynamo-bench.ts';
import { BENCH_TAG, benchId, RARE_ACTOR, randomEventInput, rng } from './lib/fixtures.ts';
import { envNumber, log, quick, round } from './lib/stats.ts';

/**
 * timelineReads: DynamoDB items read (ScannedCount) ÷ page size, for a full first page of 20,
 * as the table grows (1k, 10k, 100k events), for a month range, a kind, a rare actor and a tag.
 * One table is filled in steps, so each size holds the events of the smaller ones.
 */

export interface TimelineReadRow {
  events: number;
  filter: string;
  pageSize: number;
  itemsRead: number;
  ratio: number;
}

const PAGE_SIZE = 20;

/** The filters measured; `from`/`to` are already resolved to days, as the HTTP layer does. */
export const TIMELINE_FILTERS: { name: string; filter: Partial<TimelinePageRequest> }[] = [
  { name: 'month 2024-03', filter: { from: '2024-03-01', to: '2024-03-31' } },
  { name: 'kind missile-launch', filter: { kinds: ['missile-launch'] } },
  { name: `rare actor ${RARE_ACTOR}`, filter: { actors: [RARE_ACTOR] } },
  { name: `tag ${BENCH_TAG}`, filter: { tags: [BENCH_TAG] } },
];

/** Extra rows printed (not in results.json): the other direction and the second page. */
const EXTRA_FILTERS: { name: string; filter: Partial<TimelinePageRequest> }[] = [
  { name: 'month 2024-03 desc', filter: { from: '2024-03-01', to: '2024-03-31', order: 'desc' } },
  { name: 'mid-month 2024-03-15..04-14', filter: { from: '2024-03-15', to: '2024-04-14' } },
  { name: 'kind+from 2024-06', filter: { kinds: ['statement'], from: '2024-06-01' } },
];

/** About 1% of events carry the rare actor; the first thousand carry it more often, so 1k fills a page. */
const isRare = (i: number) => i % 100 === 0 || (i < 1000 && i % 25 === 0);

export function benchEvent(i: number, random: () => number): TimelineEvent {
  const at = '2025-01-01T00:00:00.000Z';
  return materialiseEvent(randomEventInput(random, isRare(i)), {
    id: benchId(7, i),
    createdAt: at,
    updatedAt: at,
    version: 1,
  });
}

/**
 * The items EventRepository.create writes, for an event whose change was already announced, less
 * its entries in the feeds' change index: the timeline reads never touch them, and 9 more items an
 * event would only slow the load of 100k events.
 */
export function storedItems(event: TimelineEvent): Record<string, unknown>[] {
  const {
    feedPk: _feedPk,
    feedSk: _feedSk,
    ...eventItem
  } = buildEventItem(event, {
    type: 'event.created',
    version: event.version,
    at: event.createdAt,
  });
  return [{ ...eventItem, changes: {} }, ...timelineItems(event).filter((item) => item.type === 'timeline')];
}

export async function measureTimelineReads(): Promise<{ rows: TimelineReadRow[]; notes: string[] }> {
  const sizes = (process.env.BENCH_TIMELINE_SIZES ?? (quick() ? '1000,10000' : '1000,10000,100000'))
    .split(',')
    .map(Number);
  const budgetMs = envNumber('BENCH_LOAD_BUDGET_S', 330) * 1000;
  const dynamo = await startBenchDynamo();
  const service = new EventService({
    table: dynamo.table,
    events: new EventRepository(dynamo.table),
    idempotency: new IdempotencyStore(dynamo.table),
  });
  const rows: TimelineReadRow[] = [];
  const notes: string[] = [];
  const random = rng(20240628);
  let loaded = 0;
  const started = performance.now();
  try {
    for (const size of sizes) {
      // Load in steps of 5k events, so a time-out leaves a whole number of complete events.
      let outOfTime = false;
      while (loaded < size) {
        if (performance.now() - started > budgetMs) {
          outOfTime = true;
          break;
        }
        const step = Math.min(size - loaded, 5000);
        const items = Array.from({ length: step }, (_, k) =>
          storedItems(benchEvent(loaded + k, random)),
        ).flat();
        await bulkWrite({ endpoint: dynamo.endpoint, tableName: dynamo.table.name }, items, {
          label: `timeline ${loaded + step} events`,
        });
        loaded += step;
      }
      if (outOfTime) {
        notes.push(
          `timeline load stopped at ${loaded} of ${size} events after ${Math.round((performance.now() - started) / 1000)} s (BENCH_LOAD_BUDGET_S)`,
        );
      }
      log(`timeline: ${loaded} events loaded (${Math.round((performance.now() - started) / 1000)} s)`);
      for (const { name, filter } of [...TIMELINE_FILTERS, ...EXTRA_FILTERS]) {
        const page = await service.list({ ...timelineFilter(filter), limit: PAGE_SIZE });
        const extra = !TIMELINE_FILTERS.some((f) => f.name === name);
        const itemsRead = page.itemsRead;
        let label = name;
        if (page.items.length < PAGE_SIZE) {
          label = `${name} (page held ${page.items.length})`;
          notes.push(`${loaded} events, ${name}: the first page held only ${page.items.length} items`);
        }
        if (extra && page.next) {
          // Informational: the second page of the same query, through its cursor.
          const second = await service.list({
            ...timelineFilter(filter),
            limit: PAGE_SIZE,
            after: page.next,
          });
          label = `${label} | page 2 read ${second.itemsRead}`;
        }
        const row = {
          events: loaded,
          filter: label,
          pageSize: PAGE_SIZE,
          itemsRead,
          ratio: round(itemsRead / PAGE_SIZE),
        };
        if (extra) {
          log(`  (extra) ${label}: read ${itemsRead} → ${row.ratio}`);
        } else {
          rows.push(row);
          log(`  ${label}: read ${itemsRead} → ${row.ratio}`);
        }
      }
      if (outOfTime) break;
    }
  } finally {
    await dynamo.close();
  }
  return { rows, notes };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await measureTimelineReads();
  console.log(JSON.stringify(result, null, 2));
}
