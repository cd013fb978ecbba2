import { ApiKeyStore } from '../shared/auth/api-keys.ts';
import type { TimelineEvent } from '../shared/domain/event.ts';
import type { EventService } from '../shared/events/event-service.ts';
import { createApp } from '../shared/http/app.ts';
import { createLogger } from '../shared/platform/logger.ts';
import type { Table } from '../shared/store/dynamo.ts';
import type { TimelinePageRequest, TimelinePageResult } from '../shared/store/timeline-reader.ts';
import { rng } from './lib/fixtures.ts';
import { envNumber, median, quick, round } from './lib/stats.ts';
import { benchEvent } from './timeline-reads.ts';

/**
 * pageRender: CPU time per `GET /?limit=50` — the timeline page: the same query validation,
 * filters, cursor and store call as the JSON list, then the HTML with its time-axis drawings, the
 * filter form and the subscribe form — ÷ per `GET /v1/events?limit=50`, the JSON list of the same
 * 50 events, both through the one real createApp with the store answered from memory. Blocks of
 * requests alternate after a warm-up (which also loads the lazily imported pages); each block is
 * timed in CPU time of this process.
 */

export interface PageRenderResult {
  ratio: number;
  pageUs: number;
  jsonUs: number;
  /**
   * Printed, not in results.json. `freshPageUs`: the same page when every event changed since the
   * last request (a new version each time), so nothing kept from earlier pages applies.
   */
  detail: { pageKb: number; jsonKb: number; freshPageUs: number; block: number; rounds: number };
}

const PAGE = '/?limit=50';
const JSON_LIST = '/v1/events?limit=50';

export async function measurePageRender(): Promise<PageRenderResult> {
  const random = rng(11);
  const events: TimelineEvent[] = Array.from({ length: 50 }, (_, i) => benchEvent(i, random));
  const lastSk = `${events[49]!.earliest}#0000001#${events[49]!.id}`;
  let fresh = false;
  // With `fresh` set, the store answers the events as if each had just changed.
  let version = 1;
  const inMemoryEvents = {
    list: async (request: TimelinePageRequest): Promise<TimelinePageResult> => ({
      items: fresh
        ? events.slice(0, request.limit).map((event) => ({ ...event, version: ++version }))
        : events.slice(0, request.limit),
      next: lastSk,
      itemsRead: request.limit + 1,
    }),
    get: async (id: string) => events.find((event) => event.id === id)!,
  } as unknown as EventService;
  const noTable = { client: undefined, name: 'unused' } as unknown as Table;
  const tokenKey = Buffer.from('bench-token-key-0123456789abcdef0123456789', 'utf8');
  const app = createApp({
    events: inMemoryEvents,
    apiKeys: new ApiKeyStore(noTable),
    tokenKey: async () => tokenKey,
    logger: createLogger({ service: 'bench', write: () => {} }),
    publicUrl: 'http://localhost:3000',
    // Present so the page carries its subscribe form; rendering never calls it.
    subscriptions: {
      service: async () => {
        throw new Error('not used by a page render');
      },
    },
  });
  const browser = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

  const page = await app.request(PAGE, { headers: browser });
  const pageBody = await page.text();
  if (page.status !== 200) throw new Error(`the page answered ${page.status}: ${pageBody.slice(0, 500)}`);
  const shown = pageBody.match(/<li><article>/g)?.length ?? 0;
  if (shown !== 50) throw new Error(`the page shows ${shown} events, not 50`);
  const list = await app.request(JSON_LIST);
  const listBody = await list.text();
  if (list.status !== 200 || (JSON.parse(listBody) as { items: unknown[] }).items.length !== 50) {
    throw new Error(`the JSON list answered ${list.status}`);
  }

  const block = envNumber('BENCH_PAGE_BLOCK', 50);
  const rounds = envNumber('BENCH_PAGE_ROUNDS', quick() ? 30 : 80);
  const timeBlock = async (path: string, headers: Record<string, string>) => {
    const started = process.cpuUsage();
    for (let i = 0; i < block; i++) {
      const response = await app.request(path, { headers });
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`status ${response.status}`);
    }
    const used = process.cpuUsage(started);
    return (used.user + used.system) / block;
  };
  const subjects = [
    { path: PAGE, headers: browser, samples: [] as number[] },
    { path: JSON_LIST, headers: {}, samples: [] as number[] },
    { path: PAGE, headers: browser, fresh: true, samples: [] as number[] },
  ];
  const run = (subject: (typeof subjects)[number]) => {
    fresh = subject.fresh === true;
    return timeBlock(subject.path, subject.headers);
  };
  for (let i = 0; i < 10; i++) for (const subject of subjects) await run(subject);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < subjects.length; k++) {
      const subject = subjects[(r + k) % subjects.length]!;
      subject.samples.push(await run(subject));
    }
  }
  fresh = false;
  const [pageMedian, jsonMedian, freshMedian] = subjects.map(({ samples }) => median(samples)) as [
    number,
    number,
    number,
  ];
  return {
    ratio: round(pageMedian / jsonMedian),
    pageUs: round(pageMedian, 1),
    jsonUs: round(jsonMedian, 1),
    detail: {
      pageKb: Math.round(Buffer.byteLength(pageBody) / 1024),
      jsonKb: Math.round(Buffer.byteLength(listBody) / 1024),
      freshPageUs: round(freshMedian, 1),
      block,
      rounds,
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await measurePageRender(), null, 2));
}
