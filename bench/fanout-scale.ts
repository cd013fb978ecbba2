import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DeliveryQueue, FanoutDeps } from '../shared/alerts/fanout.ts';
import { fanOutEvent } from '../shared/alerts/fanout.ts';
import type { EventInput } from '../shared/domain/event.ts';
import {
  alertTypes,
  matchesFilter,
  type Subscription,
  type SubscriptionFilter,
} from '../shared/domain/subscription.ts';
import { EventService } from '../shared/events/event-service.ts';
import { createLogger } from '../shared/platform/logger.ts';
import { DeliveryRepository } from '../shared/store/delivery-repository.ts';
import { createTable, type Table } from '../shared/store/dynamo.ts';
import { EventRepository } from '../shared/store/event-repository.ts';
import { IdempotencyStore } from '../shared/store/idempotency-store.ts';
import { SubscriptionRepository } from '../shared/store/subscription-repository.ts';
import { PROBE_EVENT } from './fanout-reads.ts';
import { bulkWrite, startBenchDynamo } from './lib/dynamo-bench.ts';
import { benchId, randomEventInput, rng } from './lib/fixtures.ts';
import { log, mapLimit, quick, round } from './lib/stats.ts';

/**
 * fanoutScale: one new event matching every one of N active webhook subscriptions, fanned out by
 * the local runtime's wiring (SubscriptionRepository with its cache, DeliveryRepository as the
 * single writer): seconds per 1,000 deliveries, peak RSS of the process doing it, items and bytes
 * written per delivery, at 10k and 100k (quick: 1k and 10k) to show how each grows with N.
 *
 * Each size gets its own dynalite (in its own process), seeded from this process, and the fan-out
 * runs in a fresh child process, so the child's peak RSS is that fan-out's own (no seeding, no
 * other size in it). The child creates the event through EventService as the API does, then times
 * `fanOutEvent`; its queue counts refs and fresh records per subscription and keeps nothing. The
 * bench fails unless every subscription got exactly one delivery recorded and one enqueue.
 */

export interface FanoutScaleRow {
  subscriptions: number;
  deliveries: number;
  seconds: number;
  secondsPer1000: number;
  /** The child's peak resident set (kernel high-water mark, whole process life). */
  peakRssMb: number;
  /** RSS right before the fan-out (after start-up, wiring, the event write and a GC). */
  baselineRssMb: number;
  itemsWrittenPerDelivery: number;
  /** DynamoDB item size (attribute names + values, as DynamoDB counts it) of the items written. */
  bytesWrittenPerDelivery: number;
}

export interface FanoutScaleResult {
  sizes: FanoutScaleRow[];
  /** Peak RSS at the largest size ÷ at the smallest. */
  rssGrowth: number;
  /** Printed, not in results.json. */
  detail: FanoutScaleDetail[];
}

export interface FanoutScaleDetail {
  subscriptions: number;
  seedSeconds: number;
  /** Peak heap used, sampled every 50 ms during the fan-out, and before it. */
  peakHeapMb: number;
  baselineHeapMb: number;
  /** Heap used after the fan-out and a GC: what the fan-out left held (caches). */
  retainedHeapMb: number;
  /** Peak RSS sampled during the fan-out (the high-water mark also counts start-up). */
  sampledPeakRssMb: number;
  /** Items written by type (delivery, message, event). */
  itemsWrittenByType: Record<string, number>;
  /** Bytes of a delivery item and of the message item (each as DynamoDB sizes it). */
  deliveryItemBytes: number;
  messageItemBytes: number;
  /** Request body bytes of the write requests, per delivery. */
  requestBytesPerDelivery: number;
  /** Subscription index items read, and items read in all (index pages + existence checks). */
  subscriptionsRead: number;
  itemsReadPerDelivery: number;
  requests: Record<string, number>;
  cpuSeconds: number;
  cacheMs: number;
}

type ChildReport = FanoutScaleRow & Omit<FanoutScaleDetail, 'seedSeconds'>;

/** The local runtime's subscription cache (shared/local/local-alerts.ts). */
const LOCAL_CACHE_MS = 30_000;
const SUBSCRIPTION_PREFIX = 71;
const thisFile = fileURLToPath(import.meta.url);

/**
 * Filters that all match the probe event (a KP/RU/UA missile launch tagged `ballistic-missiles`),
 * as a mix that lands in several probe partitions: single dimensions, the match-all partition,
 * two- and three-dimension combinations, and filters indexed under two probed partitions (announced
 * from one of them only).
 */
const MATCHING_FILTERS: readonly (readonly [SubscriptionFilter, number])[] = [
  [{ kinds: [], actors: ['KP'], tags: [] }, 6],
  [{ kinds: ['missile-launch'], actors: [], tags: [] }, 3],
  [{ kinds: [], actors: [], tags: [] }, 1],
  [{ kinds: ['missile-launch'], actors: ['KP'], tags: [] }, 3],
  [{ kinds: [], actors: ['KP', 'RU'], tags: [] }, 2],
  [{ kinds: [], actors: ['KP'], tags: ['ballistic-missiles'] }, 2],
  [{ kinds: [], actors: [], tags: ['ballistic-missiles', 'north-korea'] }, 2],
  [{ kinds: ['missile-launch', 'military-action'], actors: ['KP', 'UA'], tags: ['ballistic-missiles'] }, 1],
];
const FILTER_CYCLE = MATCHING_FILTERS.flatMap(([filter, weight]) =>
  Array.from({ length: weight }, () => filter),
);

/** `count` active webhook subscriptions, every one matching the probe event. */
export function scaleSubscriptions(count: number): Subscription[] {
  const at = '2025-01-01T00:00:00.000Z';
  const sealed = randomBytes(60).toString('base64url');
  return Array.from({ length: count }, (_, i) => {
    const filter = FILTER_CYCLE[i % FILTER_CYCLE.length]!;
    const subscription: Subscription = {
      id: benchId(SUBSCRIPTION_PREFIX, i),
      channel: 'webhook',
      url: `https://hooks.example.org/dateline/${i}`,
      filter: { kinds: [...filter.kinds], actors: [...filter.actors], tags: [...filter.tags] },
      types: i % 5 === 0 ? [...alertTypes] : ['event.created'],
      status: 'active',
      secrets: [{ sealed, createdAt: at }],
      tokenHash: sealed.slice(0, 64),
      createdAt: at,
      updatedAt: at,
      version: 1,
    };
    if (!matchesFilter(subscription.filter, PROBE_EVENT)) throw new Error('filter does not match');
    return subscription;
  });
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** The index benchId encoded in its last 10 characters. */
function benchIndex(id: string): number {
  let n = 0;
  for (const char of id.slice(-10)) n = n * 32 + CROCKFORD.indexOf(char);
  return n;
}

/**
 * The items `SubscriptionRepository.create` writes for each subscription (subscription and index
 * items, captured instead of sent), and the shapes meta item it keeps up to date with `ADD shapes`.
 */
async function seedItems(tableName: string, subscriptions: Subscription[]) {
  const items: Record<string, unknown>[] = [];
  const shapes = new Set<string>();
  let metaKey: Record<string, unknown> | undefined;
  const client = {
    send: async (command: {
      input?: {
        Item?: Record<string, unknown>;
        Key?: Record<string, unknown>;
        ExpressionAttributeValues?: Record<string, unknown>;
      };
    }) => {
      const input = command.input ?? {};
      if (input.Item) items.push(input.Item);
      const added = input.ExpressionAttributeValues?.[':shapes'];
      if (added instanceof Set) {
        metaKey = input.Key;
        for (const shape of added) shapes.add(shape as string);
      }
      return {};
    },
  };
  const writer = new SubscriptionRepository({ client, name: tableName } as unknown as Table);
  await mapLimit(subscriptions, 64, (subscription) => writer.create(subscription));
  if (!metaKey) throw new Error('SubscriptionRepository.create registered no index shapes');
  items.push({ ...metaKey, shapes });
  return { items, shapes: [...shapes].sort() };
}

/** DynamoDB's size of an item: attribute names and values (numbers roughly, as stored). */
function itemSize(item: Record<string, AttributeValue>): number {
  let size = 0;
  for (const name in item) size += Buffer.byteLength(name) + valueSize(item[name]!);
  return size;
}

function valueSize(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S);
  if (value.N !== undefined) return Math.ceil(value.N.length / 2) + 1;
  if (value.B !== undefined) return value.B.length;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS) return value.SS.reduce((sum, s) => sum + Buffer.byteLength(s), 0);
  if (value.NS) return value.NS.reduce((sum, n) => sum + Math.ceil(n.length / 2) + 1, 0);
  if (value.BS) return value.BS.reduce((sum, b) => sum + b.length, 0);
  if (value.L) return value.L.reduce((sum, element) => sum + 1 + valueSize(element), 3);
  if (value.M) return itemSize(value.M) + 3 + Object.keys(value.M).length;
  return 0;
}

/**
 * Counts what the table's client sends, at the `build` step (after the document client marshalled
 * the input, once per command before retries): requests by command, items written (a batch counts
 * each) with their size and type, request bytes of writes, and items read.
 */
function countWrites(table: Table) {
  const counts = {
    requests: {} as Record<string, number>,
    itemsWritten: 0,
    bytesWritten: 0,
    requestBytes: 0,
    itemsRead: 0,
    byType: {} as Record<string, number>,
    sizeByType: {} as Record<string, number>,
  };
  let enabled = false;
  const wrote = (item: Record<string, AttributeValue> | undefined) => {
    if (!item) return;
    const size = itemSize(item);
    const type = item.type?.S ?? 'other';
    counts.itemsWritten++;
    counts.bytesWritten += size;
    counts.byType[type] = (counts.byType[type] ?? 0) + 1;
    counts.sizeByType[type] = (counts.sizeByType[type] ?? 0) + size;
  };
  table.client.middlewareStack.add(
    (next, context) => async (args) => {
      if (!enabled) return next(args);
      const name = String(context.commandName ?? 'unknown').replace(/Command$/, '');
      counts.requests[name] = (counts.requests[name] ?? 0) + 1;
      const input = args.input as {
        Item?: Record<string, AttributeValue>;
        Key?: Record<string, AttributeValue>;
        ExpressionAttributeValues?: Record<string, AttributeValue>;
        RequestItems?: Record<string, { PutRequest?: { Item: Record<string, AttributeValue> } }[]>;
      };
      if (name === 'PutItem') wrote(input.Item);
      else if (name === 'BatchWriteItem')
        for (const requests of Object.values(input.RequestItems ?? {}))
          for (const request of requests) wrote(request.PutRequest?.Item);
      else if (name === 'UpdateItem' || name === 'DeleteItem') {
        // The key and the values set (the event item losing its pending change, mostly).
        const type = name === 'UpdateItem' ? 'update' : 'delete';
        const size = itemSize({ ...input.Key, ...input.ExpressionAttributeValues });
        counts.itemsWritten++;
        counts.bytesWritten += size;
        counts.byType[type] = (counts.byType[type] ?? 0) + 1;
        counts.sizeByType[type] = (counts.sizeByType[type] ?? 0) + size;
      }
      if (/^(Put|Update|Delete|BatchWrite)/.test(name)) {
        const body = (args.request as { body?: unknown } | undefined)?.body;
        if (typeof body === 'string') counts.requestBytes += Buffer.byteLength(body);
        else if (body instanceof Uint8Array) counts.requestBytes += body.byteLength;
      }
      const result = await next(args);
      const output = result.output as {
        ScannedCount?: number;
        Count?: number;
        Item?: unknown;
        Responses?: Record<string, unknown[]>;
      };
      if (name === 'Query') counts.itemsRead += output.ScannedCount ?? output.Count ?? 0;
      else if (name === 'GetItem') counts.itemsRead += output.Item ? 1 : 0;
      else if (name === 'BatchGetItem')
        for (const found of Object.values(output.Responses ?? {})) counts.itemsRead += found.length;
      return result;
    },
    { step: 'build', name: 'benchFanoutScaleCounter', override: true },
  );
  return {
    counts,
    start: () => {
      enabled = true;
    },
    stop: () => {
      enabled = false;
    },
  };
}

const mb = (bytes: number) => round(bytes / 1024 ** 2, 1);

/** The child: one fan-out of one event to the `count` subscriptions seeded in the table at `endpoint`. */
async function runChild(endpoint: string, tableName: string, count: number): Promise<ChildReport> {
  const table = createTable({ tableName, endpoint, region: 'local' });
  const cacheMs = Number(process.env.BENCH_FANOUT_CACHE_MS ?? LOCAL_CACHE_MS);
  const logger = createLogger({
    service: 'dateline-bench',
    level: 'info',
    write: (line) => {
      if (line.startsWith('{"level":"error"')) process.stderr.write(`${line}\n`);
    },
  });
  // Per subscription (by its bench index): deliveries recorded fresh, and refs enqueued.
  const recorded = new Uint8Array(count);
  const enqueued = new Uint8Array(count);
  let refsEnqueued = 0;
  let freshEnqueued = 0;
  let stray = 0;
  const idPrefix = benchId(SUBSCRIPTION_PREFIX, 0).slice(0, -10);
  const tally = (counts: Uint8Array, subscriptionId: string) => {
    const index = benchIndex(subscriptionId);
    if (index >= 0 && index < count && subscriptionId.startsWith(idPrefix))
      counts[index] = Math.min(255, counts[index]! + 1);
    else stray++;
  };
  const queue: DeliveryQueue = {
    enqueue: async (refs, fresh) => {
      refsEnqueued += refs.length;
      freshEnqueued += fresh?.length ?? 0;
      for (const ref of refs) tally(enqueued, ref.subscriptionId);
      for (const delivery of fresh ?? []) tally(recorded, delivery.subscriptionId);
    },
    reserve: () => () => {},
  };
  // As shared/local/local-alerts.ts wires them.
  const deps: FanoutDeps = {
    table,
    events: new EventRepository(table),
    subscriptions: new SubscriptionRepository(table, cacheMs > 0 ? { cacheMs } : {}),
    deliveries: new DeliveryRepository(table, { singleWriter: true }),
    queue,
    logger,
  };
  // The event as the API creates it (shared/local/runtime.ts): EventService with idempotency.
  const service = new EventService({ table, events: deps.events, idempotency: new IdempotencyStore(table) });
  const input: EventInput = {
    ...randomEventInput(rng(7)),
    kind: PROBE_EVENT.kind,
    actors: PROBE_EVENT.actors,
    tags: PROBE_EVENT.tags,
  };
  const { event } = await service.create(input, { scope: 'bench', key: `fanout-scale-${count}` });

  const counter = countWrites(table);
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  const before = process.memoryUsage();
  let sampledRss = before.rss;
  let peakHeap = before.heapUsed;
  const sampler = setInterval(() => {
    const now = process.memoryUsage();
    sampledRss = Math.max(sampledRss, now.rss);
    peakHeap = Math.max(peakHeap, now.heapUsed);
  }, 50);
  const cpu = process.cpuUsage();
  counter.start();
  const started = performance.now();
  const result = await fanOutEvent(deps, event.id);
  const seconds = (performance.now() - started) / 1000;
  counter.stop();
  const used = process.cpuUsage(cpu);
  clearInterval(sampler);
  const after = process.memoryUsage();
  sampledRss = Math.max(sampledRss, after.rss);
  peakHeap = Math.max(peakHeap, after.heapUsed);
  const peakRss = process.resourceUsage().maxRSS * 1024;
  gc?.();
  gc?.();
  const retainedHeap = process.memoryUsage().heapUsed;
  // The repositories live on in the runtime: keep them alive until the heap is measured.
  if (!deps.subscriptions) throw new Error('unreachable');
  table.client.destroy();

  // Every subscription: exactly one delivery recorded and one enqueued, nothing else.
  const problems: string[] = [];
  const wrong = (counts: Uint8Array) => counts.reduce((n, value) => n + (value === 1 ? 0 : 1), 0);
  if (result.deliveries !== count) problems.push(`fanOutEvent reported ${result.deliveries} deliveries`);
  if (wrong(recorded) > 0) problems.push(`${wrong(recorded)} subscriptions without exactly one fresh record`);
  if (wrong(enqueued) > 0) problems.push(`${wrong(enqueued)} subscriptions without exactly one enqueue`);
  if (refsEnqueued !== count || freshEnqueued !== count)
    problems.push(`${refsEnqueued} refs and ${freshEnqueued} fresh records enqueued`);
  if (stray > 0) problems.push(`${stray} deliveries for subscriptions that were not seeded`);
  const deliveryItems = counter.counts.byType.delivery ?? 0;
  if (deliveryItems !== count) problems.push(`${deliveryItems} delivery items written`);
  if (result.changes !== 1 || result.continued !== 0)
    problems.push(`${result.changes} changes announced, ${result.continued} continued`);
  if (problems.length > 0)
    throw new Error(`fan-out to ${count} subscriptions went wrong: ${problems.join('; ')}`);

  const { counts } = counter;
  return {
    subscriptions: count,
    deliveries: result.deliveries,
    seconds: round(seconds),
    secondsPer1000: round((seconds / count) * 1000, 3),
    peakRssMb: mb(peakRss),
    baselineRssMb: mb(before.rss),
    itemsWrittenPerDelivery: round(counts.itemsWritten / count, 3),
    bytesWrittenPerDelivery: Math.round(counts.bytesWritten / count),
    peakHeapMb: mb(peakHeap),
    baselineHeapMb: mb(before.heapUsed),
    retainedHeapMb: mb(retainedHeap),
    sampledPeakRssMb: mb(sampledRss),
    itemsWrittenByType: counts.byType,
    deliveryItemBytes: Math.round((counts.sizeByType.delivery ?? 0) / Math.max(1, deliveryItems)),
    messageItemBytes: counts.sizeByType.message ?? 0,
    requestBytesPerDelivery: Math.round(counts.requestBytes / count),
    subscriptionsRead: result.subscriptionsRead,
    itemsReadPerDelivery: round(counts.itemsRead / count, 2),
    requests: Object.fromEntries(Object.entries(counts.requests).sort((a, b) => b[1] - a[1])),
    cpuSeconds: round((used.user + used.system) / 1e6),
    cacheMs,
  };
}

/** Runs the child for one size against a seeded dynalite and answers its report. */
function spawnChild(endpoint: string, tableName: string, count: number): Promise<ChildReport> {
  const timeoutMs = Number(process.env.BENCH_FANOUT_TIMEOUT_S ?? 900) * 1000;
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', thisFile, '--child', endpoint, tableName, String(count)],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
        env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      },
    );
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('utf8').trim();
      if (code !== 0)
        return reject(new Error(`fan-out child for ${count} exited with ${code ?? signal}: ${text}`));
      try {
        resolve(JSON.parse(text.split('\n').pop()!) as ChildReport);
      } catch {
        reject(new Error(`fan-out child for ${count} printed no report: ${text.slice(0, 300)}`));
      }
    });
  });
}

export function fanoutSizes(): number[] {
  const text = process.env.BENCH_FANOUT_SIZES ?? (quick() ? '1000,10000' : '10000,100000');
  const sizes = text.split(',').map((part) => Number(part.trim()));
  if (sizes.length === 0 || sizes.some((size) => !Number.isInteger(size) || size < 1))
    throw new Error(`BENCH_FANOUT_SIZES must be a comma list of positive integers, got "${text}"`);
  return sizes;
}

export async function measureFanoutScale(): Promise<FanoutScaleResult> {
  const sizes: FanoutScaleRow[] = [];
  const detail: FanoutScaleDetail[] = [];
  for (const count of fanoutSizes()) {
    const dynamo = await startBenchDynamo();
    try {
      const seedStarted = performance.now();
      const { items, shapes } = await seedItems(dynamo.table.name, scaleSubscriptions(count));
      await bulkWrite({ endpoint: dynamo.endpoint, tableName: dynamo.table.name }, items, {
        label: `fan-out scale ${count}`,
      });
      const seedSeconds = round((performance.now() - seedStarted) / 1000, 1);
      log(
        `fan-out scale: ${count} subscriptions (${items.length} items, shapes ${shapes.join(' ')}) loaded in ${seedSeconds} s`,
      );
      const report = await spawnChild(dynamo.endpoint, dynamo.table.name, count);
      log(
        `fan-out scale: ${report.deliveries} deliveries in ${report.seconds} s (${report.secondsPer1000} s per 1,000, CPU ${report.cpuSeconds} s); RSS ${report.baselineRssMb} → peak ${report.peakRssMb} MB, heap ${report.baselineHeapMb} → peak ${report.peakHeapMb} MB, ${report.retainedHeapMb} MB held after; written per delivery ${report.itemsWrittenPerDelivery} items, ${report.bytesWrittenPerDelivery} bytes (${JSON.stringify(report.itemsWrittenByType)}); ${report.subscriptionsRead} index items read`,
      );
      const {
        subscriptions,
        deliveries,
        seconds,
        secondsPer1000,
        peakRssMb,
        baselineRssMb,
        itemsWrittenPerDelivery,
        bytesWrittenPerDelivery,
        ...rest
      } = report;
      sizes.push({
        subscriptions,
        deliveries,
        seconds,
        secondsPer1000,
        peakRssMb,
        baselineRssMb,
        itemsWrittenPerDelivery,
        bytesWrittenPerDelivery,
      });
      detail.push({ subscriptions, seedSeconds, ...rest });
    } finally {
      await dynamo.close();
    }
  }
  const smallest = sizes.reduce((a, b) => (b.subscriptions < a.subscriptions ? b : a));
  const largest = sizes.reduce((a, b) => (b.subscriptions > a.subscriptions ? b : a));
  return { sizes, rssGrowth: round(largest.peakRssMb / smallest.peakRssMb), detail };
}

if (process.argv[1] === thisFile && process.argv[2] === '--child') {
  const [endpoint, tableName, count] = process.argv.slice(3);
  const report = await runChild(endpoint!, tableName!, Number(count));
  process.stdout.write(`${JSON.stringify(report)}\n`);
  process.exit(0);
} else if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await measureFanoutScale(), null, 2));
}
