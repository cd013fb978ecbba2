import { Hono } from 'hono';
import { ApiKeyStore } from '../shared/auth/api-keys.ts';
import type { TimelineEvent } from '../shared/domain/event.ts';
import type { EventService } from '../shared/events/event-service.ts';
import { createApp } from '../shared/http/app.ts';
import type { AppEnv } from '../shared/http/context.ts';
import { ApiRoutes } from '../shared/http/route.ts';
import { eventPageSchema, timelineQuerySchema } from '../shared/http/schemas.ts';
import { createLogger } from '../shared/platform/logger.ts';
import type { Table } from '../shared/store/dynamo.ts';
import type { TimelinePageRequest, TimelinePageResult } from '../shared/store/timeline-reader.ts';
import { rng } from './lib/fixtures.ts';
import { envNumber, median, quick, round } from './lib/stats.ts';
import { benchEvent } from './timeline-reads.ts';

/**
 * requestOverhead: time per `app.request('/v1/events?limit=50')` through the real createApp (query
 * validation, cursor signing, JSON, access log with a no-op write) with the EventService answered
 * from memory, ÷ a bare Hono route returning the same 50 events with c.json. Blocks of requests
 * alternate between the two after a warm-up; each block is timed in CPU time of this process.
 */

export interface RequestOverheadResult {
  ratio: number;
  apiUs: number;
  baselineUs: number;
  /** Printed, not in results.json: the same route on the bare framework (query validation only). */
  detail: { floorUs: number; floorRatio: number; block: number; rounds: number };
}

const PATH = '/v1/events?limit=50';

export async function measureRequestOverhead(): Promise<RequestOverheadResult> {
  const random = rng(7);
  const events: TimelineEvent[] = Array.from({ length: 50 }, (_, i) => benchEvent(i, random));
  const lastSk = `${events[49]!.earliest}#0000001#${events[49]!.id}`;

  // The store answered from memory: the same 50 events for every page, with a next page.
  const inMemoryEvents = {
    list: async (request: TimelinePageRequest): Promise<TimelinePageResult> => ({
      items: events.slice(0, request.limit),
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
  });

  // The baseline answers the same body: the same items and a cursor-sized nextCursor.
  const check = await app.request(PATH);
  if (check.status !== 200) throw new Error(`the app answered ${check.status}: ${await check.text()}`);
  const { nextCursor } = (await check.json()) as { nextCursor: string };
  const baseline = new Hono();
  baseline.get('/v1/events', (c) => c.json({ items: events, nextCursor }));
  const baselineCheck = await baseline.request(PATH);
  const [appBody, baselineBody] = [await (await app.request(PATH)).text(), await baselineCheck.text()];
  // Informational: the framework's share — plain Hono and the app's route helper (zod/mini)
  // validating the same query, nothing else.
  const floor = new Hono<AppEnv>();
  new ApiRoutes(floor).route(
    {
      method: 'get',
      path: '/v1/events',
      request: { query: timelineQuerySchema },
      responses: {
        200: { description: 'page', content: { 'application/json': { schema: eventPageSchema } } },
      },
    },
    (c, input) => c.json({ items: events.slice(0, input.query.limit), nextCursor }, 200),
  );
  if (appBody.length !== baselineBody.length) {
    throw new Error(`bodies differ in size: app ${appBody.length}, baseline ${baselineBody.length}`);
  }

  const block = envNumber('BENCH_REQUEST_BLOCK', 200);
  const rounds = envNumber('BENCH_REQUEST_ROUNDS', quick() ? 40 : 100);
  // CPU time of this process per request: on a shared machine, time other processes take from
  // the CPU would otherwise land on whichever side happened to be running.
  const timeBlock = async (target: { request: (path: string) => Response | Promise<Response> }) => {
    const started = process.cpuUsage();
    for (let i = 0; i < block; i++) {
      const response = await target.request(PATH);
      if (response.status !== 200) throw new Error(`status ${response.status}`);
    }
    const used = process.cpuUsage(started);
    return (used.user + used.system) / block;
  };
  const subjects = [
    { target: app, samples: [] as number[] },
    { target: baseline, samples: [] as number[] },
    { target: floor, samples: [] as number[] },
  ];
  // Warm-up: let all reach their optimised code.
  for (let i = 0; i < 10; i++) for (const { target } of subjects) await timeBlock(target);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < subjects.length; k++) {
      const subject = subjects[(r + k) % subjects.length]!;
      subject.samples.push(await timeBlock(subject.target));
    }
  }
  const [apiMedian, baselineMedian, floorMedian] = subjects.map(({ samples }) => median(samples)) as [
    number,
    number,
    number,
  ];
  return {
    ratio: round(apiMedian / baselineMedian),
    apiUs: round(apiMedian, 1),
    baselineUs: round(baselineMedian, 1),
    detail: {
      floorUs: round(floorMedian, 1),
      floorRatio: round(floorMedian / baselineMedian),
      block,
      rounds,
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await measureRequestOverhead(), null, 2));
}
