import type { Hono } from 'hono';
import { ApiKeyStore, type Scope } from '../../shared/auth/api-keys.ts';
import type { TimelineEvent } from '../../shared/domain/event.ts';
import { EventService } from '../../shared/events/event-service.ts';
import { createApp } from '../../shared/http/app.ts';
import type { AppEnv } from '../../shared/http/context.ts';
import { openEmbeddedStore } from '../../shared/local/local-store.ts';
import { createLogger } from '../../shared/platform/logger.ts';
import type { Table } from '../../shared/store/dynamo.ts';
import { EventRepository } from '../../shared/store/event-repository.ts';
import { IdempotencyStore } from '../../shared/store/idempotency-store.ts';

/** The cursor/token signing key every test stack uses. */
export const TEST_TOKEN_KEY: Uint8Array = Buffer.from('dateline-test-token-key-0123456789abcdef', 'utf8');

/** A logger that drops every line, so tests stay quiet. */
export const silentLogger = createLogger({ service: 'test', write: () => {} });

let tableCounter = 0;

export interface TestTable {
  table: Table;
  endpoint: string;
  close(): Promise<void>;
}

/** An in-memory dynalite on a random loopback port with the Dateline table created. */
export async function startTestTable(tableName = `dateline-test-${++tableCounter}`): Promise<TestTable> {
  return openEmbeddedStore({ tableName });
}

export interface TestStack {
  app: Hono<AppEnv>;
  table: Table;
  endpoint: string;
  events: EventService;
  apiKeys: ApiKeyStore;
  /** A key with the `admin` scope. */
  adminKey: string;
  /** A key with the `events:write` scope only. */
  writerKey: string;
  /** Creates a new API key with exactly these scopes. */
  keyWith(scopes: Scope[]): Promise<string>;
  close(): Promise<void>;
}

export interface TestStackOptions {
  maxBodyBytes?: number;
  publicUrl?: string;
}

/** The Hono app over a real (dynalite) table with real services, a fixed token key and a silent logger. */
export async function startTestStack(options: TestStackOptions = {}): Promise<TestStack> {
  const { table, endpoint, close } = await startTestTable();
  const events = new EventService({
    table,
    events: new EventRepository(table),
    idempotency: new IdempotencyStore(table),
  });
  const apiKeys = new ApiKeyStore(table);
  const app = createApp({
    events,
    apiKeys,
    tokenKey: async () => TEST_TOKEN_KEY,
    logger: silentLogger,
    ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}),
    ...(options.maxBodyBytes ? { maxBodyBytes: options.maxBodyBytes } : {}),
  });
  const keyWith = async (scopes: Scope[]) => (await apiKeys.create({ name: 'test key', scopes })).key;
  const [adminKey, writerKey] = await Promise.all([keyWith(['admin']), keyWith(['events:write'])]);
  return { app, table, endpoint, events, apiKeys, adminKey, writerKey, keyWith, close };
}

/** `Authorization: Bearer <key>` as a header record. */
export const bearer = (key: string): Record<string, string> => ({ authorization: `Bearer ${key}` });

/** Request init for a JSON body, optionally authorised and with extra headers. */
export function jsonRequest(
  method: string,
  body: unknown,
  headers: Record<string, string> = {},
): RequestInit {
  return {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  };
}

// ---- HTTP helpers over app.request ------------------------------------------------------------------

/** Anything with Hono's `request` method: the app under test. */
export interface RequestTarget {
  request(input: string, init?: RequestInit): Response | Promise<Response>;
}

export interface EventPage {
  items: TimelineEvent[];
  nextCursor: string | null;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: { path: string; message: string }[];
}

/** Builds `/v1/events?…` from repeatable parameters, e.g. `{ kind: ['a', 'b'], limit: 2 }`. */
export function eventsPath(
  params: Record<string, string | number | (string | number)[] | undefined> = {},
): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) search.append(name, String(one));
  }
  const query = search.toString();
  return query ? `/v1/events?${query}` : '/v1/events';
}

export async function getPage(app: RequestTarget, path: string): Promise<EventPage> {
  const response = await app.request(path);
  if (response.status !== 200)
    throw new Error(`GET ${path} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as EventPage;
}

/** Follows `nextCursor` until the last page; returns every page (the cursor is added to `path`). */
export async function allPages(app: RequestTarget, path: string, maxPages = 500): Promise<EventPage[]> {
  const pages: EventPage[] = [];
  let cursor: string | null = null;
  do {
    const separator = path.includes('?') ? '&' : '?';
    const page = await getPage(
      app,
      cursor === null ? path : `${path}${separator}cursor=${encodeURIComponent(cursor)}`,
    );
    pages.push(page);
    cursor = page.nextCursor;
    if (pages.length > maxPages) throw new Error(`more than ${maxPages} pages for ${path}`);
  } while (cursor !== null);
  return pages;
}

/** Every event the timeline lists (anonymous GET, 200 per page). */
export async function listAll(
  app: RequestTarget,
  path = eventsPath({ limit: 200 }),
): Promise<TimelineEvent[]> {
  return (await allPages(app, path)).flatMap((page) => page.items);
}

/** How many events the timeline lists. */
export async function countEvents(app: RequestTarget): Promise<number> {
  return (await listAll(app)).length;
}
